import EventStore
import Foundation
import Hummingbird
import Logging

/// `GET /events/export`: the events the page's filters select, from the
/// whole log, as a download in the formats of `jobledger export`: JSON Lines
/// with each line's chained SHA-256 digest and the closing count line, or CSV.
///
/// The store renders every line, a slice of positions at a time, so memory
/// stays constant whatever the log's size and a slow browser only slows
/// its own download. The type goes to the store's selection; a stream
/// prefix and an actor, which the export's selection does not know, are
/// applied to the rendered lines, and the digest chain is computed over
/// the lines kept. With only a type (or nothing) the text is byte for byte
/// what `jobledger export [--type T] [--format csv]` writes.
struct EventsExport: Sendable {
    enum Format: String, Sendable {
        case jsonl, csv
    }

    let store: any EventStorage
    let filters: EventFilters
    let format: Format
    static let slice: UInt64 = 2048

    /// The format named by the `format` parameter.
    static func format(_ text: String?) throws -> Format {
        guard let format = Format(rawValue: text ?? "jsonl") else {
            throw Problem(.badInput, "format: '\(text ?? "")' is not jsonl or csv")
        }
        return format
    }

    /// The download: headers first, then the text through `end`, the log's
    /// last position when the request came.
    func response(end: UInt64, logger: Logger) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = format == .csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"events.\(format.rawValue)\""
        let export = self
        let body = ResponseBody { writer in
            do {
                try await export.write(end: end) { try await writer.write($0) }
            } catch {
                // The status is out: the body ends complete, the error in a
                // trailer (as the API's export does) and in the log.
                logger.error("events export ended early by an error", metadata: ["error": "\(error)"])
                var trailers = HTTPFields()
                trailers[ExportResponse.errorTrailer] = ExportResponse.trailerText(error)
                try await writer.finish(trailers)
                return
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Writes the whole text, a slice of positions at a time, to `output`.
    func write(end: UInt64, to output: (ByteBuffer) async throws -> Void) async throws {
        var chain = ExportDigestChain()
        if format == .csv {
            var header = ByteBuffer()
            try store.exportEvents(format: .csv, selection: ExportSelection(fromPosition: 1, toPosition: 0)) { header.writeBytes($0) }
            try await output(header)
        }
        var start: UInt64 = 1
        while start <= end {
            let stop = min(end, start + Self.slice - 1)
            let chunk = try slice(from: start, through: stop, chain: &chain)
            if chunk.readableBytes > 0 { try await output(chunk) }
            start = stop + 1
        }
        if format == .jsonl {
            var closing = ByteBuffer()
            closing.writeString("{\"count\":\(chain.count),\"digest\":\"\(chain.hex)\"}\n")
            try await output(closing)
        }
    }

    /// The text of the selected events in `first...last`.
    func slice(from first: UInt64, through last: UInt64, chain: inout ExportDigestChain) throws -> ByteBuffer {
        let selection = ExportSelection(fromPosition: first, toPosition: last, types: filters.exportTypes)
        var chunk = ByteBuffer()
        if format == .csv && filters.exportKnowsSelection {
            // The store selects every record by itself: its text as it is,
            // less the header row each slice starts with.
            var text: [UInt8] = []
            try store.exportEvents(format: .csv, selection: selection) { text.append(contentsOf: $0) }
            if let newline = text.firstIndex(of: 0x0A) { chunk.writeBytes(text[(newline + 1)...]) }
            return chunk
        }
        var lines: [UInt8] = []
        try store.exportEvents(format: .jsonLines, selection: selection) { lines.append(contentsOf: $0) }
        var records: [ArraySlice<UInt8>] = []
        if format == .csv {
            var text: [UInt8] = []
            try store.exportEvents(format: .csv, selection: selection) { text.append(contentsOf: $0) }
            records = Array(Self.csvRecords(text).dropFirst())  // the header row
        }
        for (index, line) in lines.split(separator: 0x0A, omittingEmptySubsequences: true).enumerated() {
            if !filters.exportKnowsSelection {
                guard let head = try? JSONDecoder().decode(LineHead.self, from: Data(line)),
                      filters.matches(type: head.type, stream: head.stream, actor: head.actor)
                else { continue }
            }
            switch format {
            case .csv:
                guard index < records.count else {
                    throw Problem(.internal, "the CSV and JSON Lines renderings of positions \(first)...\(last) disagree")
                }
                chunk.writeBytes(records[index])
            case .jsonl:
                // The chained line: the plain line without its closing
                // brace, its digest, then the brace.
                let content = line.dropLast()
                Array(content).withUnsafeBytes { chain.add($0) }
                chunk.writeBytes(content)
                chunk.writeString(",\"digest\":\"\(chain.hex)\"}\n")
            }
        }
        return chunk
    }

    /// The fields of an export line that the filters read.
    struct LineHead: Decodable {
        let stream: String
        let type: String
        let actor: String
    }

    /// The records of CSV text, each with its CRLF: a line break inside a
    /// quoted field belongs to its record.
    static func csvRecords(_ text: [UInt8]) -> [ArraySlice<UInt8>] {
        var records: [ArraySlice<UInt8>] = []
        var quoted = false
        var start = text.startIndex
        for index in text.indices {
            switch text[index] {
            case 0x22: quoted.toggle()
            case 0x0A where !quoted:
                records.append(text[start...index])
                start = index + 1
            default: break
            }
        }
        return records
    }
}
