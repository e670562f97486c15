import EventStore
import Foundation
import Hummingbird
import JobLedger

/// `GET /v1/export`: the log as JSON Lines or CSV, streamed a slice of
/// positions at a time, so memory stays constant whatever the log's size
/// and a slow client only slows its own export.
struct ExportResponse {
    let state: ServerState
    static let slice: UInt64 = 2048

    func response(_ request: Request, _ context: LedgerRequestContext) throws -> Response {
        try Permissions.requireSystem(try context.caller(), for: "the export")
        let parameters = request.uri.queryParameters
        let format: ExportFormat
        switch parameters.get("format") ?? "jsonl" {
        case "jsonl": format = .jsonLines
        case "csv": format = .csv
        case let other: throw Problem(.badInput, "format: '\(other)' is not jsonl or csv")
        }
        let from = try parameters.get("from").map { try EventRoutes.position($0, "from") } ?? 1
        let since = try parameters.get("since").map { try Timestamps.require($0, "since") }
        let until = try parameters.get("until").map { try Timestamps.require($0, "until") }
        let stream = parameters.get("stream")
        let types = parameters.getAll("type").map { String($0) }
        let store = state.ledger.store
        // The export ends at the log's end as it is now, like the CLI's.
        let end = try store.lastPosition()
        var headers = HTTPFields()
        headers[.contentType] = format == .csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8"
        let body = ResponseBody { writer in
            var start = max(from, 1)
            var first = true
            while start <= end {
                let stop = min(end, start + Self.slice - 1)
                var chunk = ByteBuffer()
                try store.exportEvents(
                    format: format,
                    selection: ExportSelection(
                        fromPosition: start, toPosition: stop, streamID: stream, types: types.isEmpty ? nil : Set(types),
                        since: since, until: until)
                ) { bytes in chunk.writeBytes(bytes) }
                if format == .csv && !first {
                    // Each slice starts with the CSV header; only the first keeps it.
                    if let newline = chunk.readableBytesView.firstIndex(of: 0x0A) {
                        chunk.moveReaderIndex(to: newline + 1)
                    }
                }
                if chunk.readableBytes > 0 { try await writer.write(chunk) }
                first = false
                start = stop + 1
            }
            if first && format == .csv {
                var header = ByteBuffer()
                try store.exportEvents(format: .csv, selection: ExportSelection(fromPosition: 1, toPosition: 0)) { header.writeBytes($0) }
                try await writer.write(header)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
