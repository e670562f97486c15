import EventStore
import Foundation
import Hummingbird
import JobLedger

/// The tail of the log, for the system: the last events, filtered by type
/// and by stream, among the newest `window` events of the log.
struct EventsPage: Sendable {
    let dashboard: Dashboard
    static let window: UInt64 = 5_000
    static let shown = 100

    func render(_ request: Request, _ session: DashboardSession) throws -> Response {
        try Permissions.requireSystem(session.identity, for: "the event log")
        let parameters = request.uri.queryParameters
        let type = parameters.get("type")?.trimmingSpaces ?? ""
        let stream = parameters.get("stream")?.trimmingSpaces ?? ""
        let store = dashboard.ledger.store
        let last = try store.lastPosition()
        var position = last > Self.window ? last - Self.window + 1 : 1
        var events: [RecordedEvent] = []
        let filter = EventFilter(types: type.isEmpty ? nil : [type], streamPrefix: stream.isEmpty ? nil : stream)
        while position <= last {
            let page = try store.readAll(from: position, filter: filter, limit: 1000)
            events.append(contentsOf: page.events)
            if events.count > Self.shown { events.removeFirst(events.count - Self.shown) }
            if page.reachedEnd || page.events.isEmpty { break }
            position = page.nextPosition
        }
        let rows = events.reversed().map { event -> HTML in
            let id = LiveRoute.jobID(of: event.streamID)
            let streamCell: HTML = id.map { id -> HTML in "<a href=\"\(URLPath.job(id))\">\(event.streamID)</a>" } ?? "\(event.streamID)"
            return """
                <tr><td data-label="Position">\(event.position)</td><td data-label="Time">\(Layout.time(event.recordedAt))</td>
                <td data-label="Stream" class="long">\(streamCell)</td><td data-label="Type">\(event.type)</td><td data-label="Actor">\(event.actor)</td>
                <td data-label="Data" class="long"><code class="data">\(String(JobEvent.currentDataText(type: event.type, payload: event.payload).prefix(300)))</code></td></tr>
                """
        }
        let table: HTML = rows.isEmpty ? "<p class=\"empty\">No events match.</p>" : """
            <div class="table-wrap"><table class="events"><caption>Events, newest first</caption>
            <thead><tr><th scope="col">Position</th><th scope="col">Time</th><th scope="col">Stream</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Data</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
        let main: HTML = """
            <h1>Events</h1>
            <p>The newest \(Self.shown) events that match, among the last \(Self.window) of the log (position \(last)), newest first.</p>
            <form method="get" action="/events" class="filters" aria-label="Filters">
            <div class="field"><label for="e-type">Type</label><input id="e-type" name="type" value="\(type)" placeholder="JobCompleted"></div>
            <div class="field"><label for="e-stream">Stream starts with</label><input id="e-stream" name="stream" value="\(stream)" placeholder="job-"></div>
            <div class="field actions"><button type="submit">Filter</button> <a href="/events">Clear</a></div>
            </form>
            \(table)
            """
        return Layout.response(Layout.page(title: "Events", session: session, current: "/events", main: main))
    }
}
