import EventStore
import Foundation
import Hummingbird
import JobLedger

/// `GET /live`: the dashboard's event stream, authenticated by the session
/// cookie (an `EventSource` sends cookies, not headers). It runs on the
/// API stream's machinery, keeps only the events of jobs the session may
/// see, and sends each as `{"job", "state", "type", "position"}`: the job
/// it touched and the state the job is in now, which is all the pages
/// need to update a row or to reload a job's timeline; and after the
/// submission of a job that passes the jobs table's filters, when asked
/// with `rows=new` and the page's own filter parameters, `event: new` with `{"job", "row"}`, the
/// table's row for it rendered and escaped here. The stream ends at
/// the first event after the session ends or its token stops being valid.
struct LiveRoute: Sendable {
    let dashboard: Dashboard

    func response(_ request: Request) throws -> Response {
        let session = try dashboard.session(request)
        let ledger = dashboard.ledger
        let last = try ledger.store.lastPosition()
        let after: UInt64
        if let text = request.headers[.lastEventID] ?? request.uri.queryParameters.get("after") {
            after = try EventStreamResponse.resume(
                EventRoutes.position(text.trimmingSpaces, "after"), "after", last: last)
        } else {
            after = last
        }
        let identity = session.identity
        let sessions = dashboard.sessions
        // The jobs table's filters: a new job that passes them is sent
        // rendered as the table's row, for the page to add.
        let (listing, search) = try Self.newRows(request, identity)
        let rows = JobsPage(dashboard: dashboard)
        switch request.uri.queryParameters.get("view") ?? "jobs" {
        case "jobs": break
        case "events": return try events(after: after, filters: EventFilters(request.uri.queryParameters), session: session)
        case let other: throw Problem(.badInput, "view: '\(other)' is not jobs or events")
        }
        return try EventStreamResponse(state: dashboard.state).stream(
            after: after,
            select: { event in
                guard let id = Self.jobID(of: event.streamID) else { return false }
                // Signing out, the session expiring, or the token revoked or
                // expired ends the stream at its next event.
                guard sessions.isLive(session.id), case .valid = try ledger.checkToken(session.tokenText) else {
                    throw Problem(.unauthorized, "the dashboard session ended")
                }
                if identity.role == .system { return true }
                guard let job = try? ledger.job(id) else { return false }
                return Permissions.maySee(job, identity)
            },
            render: { event, _ in
                let id = Self.jobID(of: event.streamID) ?? ""
                let job = try? ledger.job(id)
                let data = JobJSON.data([
                    "job": id, "state": job?.state.rawValue ?? NSNull(), "type": event.type, "position": event.position,
                ] as [String: Any])
                var text = "id: \(event.position)\nevent: job\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
                if event.type == "JobSubmitted", let listing, let job, listing.matches(job, now: Date()),
                   search?.matches(job) ?? true {
                    let row = JobJSON.data(["job": id, "row": rows.row(job).text] as [String: Any])
                    text += "event: new\ndata: \(String(decoding: row, as: UTF8.self))\n\n"
                }
                return ByteBuffer(string: text)
            })
    }

    /// The events page's stream (`view=events`), for the system only as
    /// the page is: every event of the log that passes the page's filters,
    /// as `event: event` with `{"position", "recordedAt", "stream", "type",
    /// "actor", "data", "job"}` (the data cut as the page's rows cut it,
    /// `job` the job the stream is about or null), for the script to put
    /// on top of the table.
    func events(after: UInt64, filters: EventFilters, session: DashboardSession) throws -> Response {
        try Permissions.requireSystem(session.identity, for: "the event log")
        let ledger = dashboard.ledger
        let sessions = dashboard.sessions
        return try EventStreamResponse(state: dashboard.state).stream(
            after: after,
            select: { event in
                guard sessions.isLive(session.id), case .valid(let identity) = try ledger.checkToken(session.tokenText),
                      identity.role == .system
                else {
                    throw Problem(.unauthorized, "the dashboard session ended")
                }
                return filters.matches(event)
            },
            render: { event, _ in
                let data = JobJSON.data([
                    "position": event.position,
                    "recordedAt": event.recordedAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
                    "stream": event.streamID, "type": event.type, "actor": event.actor,
                    "data": EventsPage.dataText(event), "job": Self.jobID(of: event.streamID) ?? NSNull(),
                ] as [String: Any])
                return ByteBuffer(string: "id: \(event.position)\nevent: event\ndata: \(String(decoding: data, as: UTF8.self))\n\n")
            })
    }

    /// With `rows=new`, the jobs table's query (scoped to the session) and
    /// payload search that a new job must pass to be sent as a row.
    static func newRows(_ request: Request, _ identity: AccessToken) throws -> (JobQuery?, PayloadSearch?) {
        guard request.uri.queryParameters.get("rows") == "new" else { return (nil, nil) }
        let filters = JobsPage.Filters(request.uri.queryParameters)
        var search: PayloadSearch? = nil
        if !filters.payload.isEmpty { search = try PayloadSearch(filters.payload) }
        return (try Permissions.scope(filters.query(), identity), search)
    }

    /// The job a job stream or an audit stream is about.
    static func jobID(of stream: String) -> String? {
        if let id = JobStreams.jobID(fromStream: stream) { return id }
        let audit = JobStreams.audit("")
        return stream.hasPrefix(audit) ? String(stream.dropFirst(audit.utf8.count)) : nil
    }
}
