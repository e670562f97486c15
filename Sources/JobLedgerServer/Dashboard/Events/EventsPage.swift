import EventStore
import Foundation
import Hummingbird
import JobLedger

/// The tail of the log, for the system: the newest events among the last
/// `window` of the log, filtered by type, stream prefix and actor; live
/// (new matching events are put on top by the page's script), with links
/// to download every matching event of the log.
struct EventsPage: Sendable {
    let dashboard: Dashboard
    static let window: UInt64 = 5_000
    static let shown = 100

    func render(_ request: Request, _ session: DashboardSession) throws -> Response {
        try Permissions.requireSystem(session.identity, for: "the event log")
        let filters = EventFilters(request.uri.queryParameters)
        let store = dashboard.ledger.store
        let last = try store.lastPosition()
        var position = last > Self.window ? last - Self.window + 1 : 1
        var events: [RecordedEvent] = []
        while position <= last {
            let page = try store.readAll(from: position, filter: filters.storeFilter, limit: 1000)
            events.append(contentsOf: page.events.filter { filters.matches($0) })
            if events.count > Self.shown { events.removeFirst(events.count - Self.shown) }
            if page.reachedEnd || page.events.isEmpty { break }
            position = page.nextPosition
        }
        let empty: HTML = events.isEmpty ? "<p class=\"empty\" id=\"events-empty\">No events match.</p>" : .empty
        let main: HTML = """
            <h1>Events</h1>
            <p>The newest \(Self.shown) events that match, among the last \(Self.window) of the log (position \(last)), newest first. New ones appear on top as they land.</p>
            <form method="get" action="/events" class="filters" aria-label="Filters">
            <div class="field"><label for="e-type">Type</label><input id="e-type" name="type" value="\(filters.type)" placeholder="JobCompleted" spellcheck="false"></div>
            <div class="field"><label for="e-stream">Stream starts with</label><input id="e-stream" name="stream" value="\(filters.stream)" placeholder="job-" spellcheck="false"></div>
            <div class="field"><label for="e-actor">Actor</label><input id="e-actor" name="actor" value="\(filters.actor)" placeholder="alice" spellcheck="false"></div>
            <div class="field actions"><button type="submit">Filter</button> <a href="/events">Clear</a></div>
            </form>
            <p class="export">Download every matching event of the whole log:
            <a id="export-jsonl" href="\(URLPath.query("/events/export", filters.items + [("format", "jsonl")]))" download>JSON Lines</a> ·
            <a id="export-csv" href="\(URLPath.query("/events/export", filters.items + [("format", "csv")]))" download>CSV</a></p>
            \(empty)
            <div class="table-wrap"><table class="events" id="events"><caption>Events, newest first</caption>
            <thead><tr><th scope="col">Position</th><th scope="col">Time</th><th scope="col">Stream</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Data</th></tr></thead>
            <tbody>\(events.reversed().map(Self.row))</tbody></table></div>
            """
        let live = Layout.Live(after: last, jobID: nil, stream: URLPath.query("/live", [("view", "events")] + filters.items))
        return Layout.response(Layout.page(title: "Events", session: session, current: "/events", live: live, main: main))
    }

    /// The longest part of an event's data a row shows.
    static let dataShown = 300

    static func row(_ event: RecordedEvent) -> HTML {
        let id = LiveRoute.jobID(of: event.streamID)
        let streamCell: HTML = id.map { id -> HTML in "<a href=\"\(URLPath.job(id))\">\(event.streamID)</a>" } ?? "\(event.streamID)"
        return """
            <tr data-position="\(event.position)"><td data-label="Position">\(event.position)</td><td data-label="Time">\(Layout.time(event.recordedAt))</td>
            <td data-label="Stream" class="long">\(streamCell)</td><td data-label="Type">\(event.type)</td><td data-label="Actor">\(event.actor)</td>
            <td data-label="Data" class="long"><code class="data">\(dataText(event))</code></td></tr>
            """
    }

    /// The event's data as the pages show it, cut at ``dataShown`` characters.
    static func dataText(_ event: RecordedEvent) -> String {
        String(JobEvent.currentDataText(type: event.type, payload: event.payload).prefix(dataShown))
    }
}
