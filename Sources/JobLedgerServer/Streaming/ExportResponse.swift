import EventStore
import Foundation
import HTTPTypes
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
        let selected = types.isEmpty ? nil : Set(types)
        // Every parameter is checked before the first byte of the body: once
        // the 200 and its headers are out, a bad stream name could no longer
        // become a 400. An export of no positions runs the store's own checks.
        _ = try store.exportEvents(
            format: format,
            selection: ExportSelection(fromPosition: 1, toPosition: 0, streamID: stream, types: selected, since: since, until: until)
        ) { _ in }
        // The export ends at the log's end as it is now, like the CLI's.
        let end = try store.lastPosition()
        let logger = state.logger
        var headers = HTTPFields()
        headers[.contentType] = format == .csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8"
        let body = ResponseBody { writer in
            do {
                try await Self.write(
                    format: format, store: store, from: from, end: end, selection: (stream, selected, since, until), to: &writer)
            } catch {
                // The status is already sent: the export ends as a complete
                // chunked body (so the connection stays usable), with the
                // error in a trailer and in the log.
                logger.error("export ended early by an error", metadata: ["error": "\(error)"])
                var trailers = HTTPFields()
                trailers[Self.errorTrailer] = Self.trailerText(error)
                try await writer.finish(trailers)
                return
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The trailer that says why an export stopped before the log's end.
    static let errorTrailer = HTTPField.Name("JobLedger-Export-Error")!

    /// `error` as one line of visible ASCII, as a header value must be.
    static func trailerText(_ error: any Error) -> String {
        let text = String("\(error)".unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return String(text.prefix(500))
    }

    /// Writes the selected events from `from` through `end`, a slice at a time.
    static func write(
        format: ExportFormat, store: any EventStorage, from: UInt64, end: UInt64,
        selection: (stream: String?, types: Set<String>?, since: Date?, until: Date?),
        to writer: inout any ResponseBodyWriter
    ) async throws {
            var start = max(from, 1)
            var first = true
            while start <= end {
                let stop = min(end, start + Self.slice - 1)
                var chunk = ByteBuffer()
                try store.exportEvents(
                    format: format,
                    selection: ExportSelection(
                        fromPosition: start, toPosition: stop, streamID: selection.stream, types: selection.types,
                        since: selection.since, until: selection.until)
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
    }
}
