import EventStore
import Foundation
import Hummingbird
import JobLedger

/// The routes over the whole log: event pages, the live stream, the export
/// and the report. They span every organisation, so they need a system token.
struct EventRoutes {
    let state: ServerState
    var ledger: JobLedger { state.ledger }

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("events") { request, context in try events(request, context) }
        group.get("events/stream") { request, context in try EventStreamResponse(state: state).response(request, context) }
        group.get("export") { request, context in try ExportResponse(state: state).response(request, context) }
        group.get("report") { request, context in try await report(request, context) }
    }

    /// `{"events": [export lines], "next": position to pass as `after`, or
    /// null at the end of the log, "lastPosition"}`. An `after` beyond the
    /// log's last position is refused (400), as the stream refuses it; one
    /// equal to it is an empty last page.
    func events(_ request: Request, _ context: LedgerRequestContext) throws -> Response {
        try Permissions.requireSystem(try context.caller(), for: "the event log")
        let parameters = request.uri.queryParameters
        let requested = try parameters.get("after").map { try Self.position($0, "after") } ?? 0
        let limit = try parameters.get("limit").map { text -> Int in
            guard let limit = Int(text), (1...10_000).contains(limit) else {
                throw Problem(.badInput, "limit: '\(text)' is not a number from 1 to 10000")
            }
            return limit
        } ?? 1000
        let last = try ledger.store.lastPosition()
        // As the stream does: a page after a position this ledger never had
        // is refused, not answered as an empty end of the log.
        let after = try EventStreamResponse.resume(requested, "after", last: last)
        let end = min(last, after.addingReportingOverflow(UInt64(limit)).overflow ? last : after + UInt64(limit))
        let lines = after >= last ? [] : try EventLines.lines(ledger.store, from: after + 1, to: end)
        var body = Data("{\"events\":[".utf8)
        for (index, line) in lines.enumerated() {
            if index > 0 { body.append(0x2C) }
            body.append(contentsOf: Array(line.utf8))
        }
        let next = end < last ? String(end) : "null"
        body.append(contentsOf: Array("],\"lastPosition\":\(last),\"next\":\(next)}".utf8))
        return Reply.raw(body)
    }

    /// The figures of `jobledger report --json`.
    func report(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        try Permissions.requireSystem(try context.caller(), for: "the report")
        let parameters = request.uri.queryParameters
        let from = try parameters.get("since").map { try Timestamps.require($0, "since") }
        let to = try parameters.get("until").map { try Timestamps.require($0, "until") }
        let ledger = self.ledger
        // A report reads every job of the period: a long read, kept off the cooperative pool.
        let text = try await OffThePool.run { try ledger.report(from: from, to: to).jsonText() }
        return Reply.raw(Data(text.utf8))
    }

    static func position(_ text: String, _ name: String) throws -> UInt64 {
        guard let value = UInt64(text) else { throw Problem(.badInput, "\(name): '\(text)' is not a log position") }
        return value
    }
}
