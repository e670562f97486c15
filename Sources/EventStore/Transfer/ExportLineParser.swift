import Foundation

/// One event read back from an export line.
struct ExportedEvent: Sendable {
    let position: UInt64
    let streamID: String
    let version: UInt64
    /// The recorded time, kept apart from ``event``: a `Date` holds
    /// microseconds exactly only within about 136 years of 2001, so the
    /// import hands this value to the applier as its clock instead.
    let recordedAtMicros: Int64
    /// The event, with `recordedAt` left `nil`; see ``recordedAtMicros``.
    let event: EventData

    /// Why a line could not be read: a sentence for ``ImportError``.
    struct LineProblem: Error {
        let reason: String
    }

    private static let null: [UInt8] = Array("null".utf8)

    private enum Field: Int, CaseIterable {
        case position, stream, version, eventId, type, recordedAt, actor, correlationId, causationId, data
        var name: String { ExportColumns.names[rawValue] }
    }

    /// Reads one JSON Lines export line. Every field must be present once;
    /// unknown fields are refused so a misspelt one cannot pass unnoticed.
    static func parse(_ line: UnsafeRawBufferPointer) throws(LineProblem) -> ExportedEvent {
        var scanner = JSONScanner(line)
        do {
            return try parseObject(&scanner)
        } catch let failure as JSONScanner.Failure {
            throw LineProblem(reason: "invalid JSON at column \(failure.offset + 1): \(failure.message)")
        } catch let problem as LineProblem {
            throw problem
        } catch {
            throw LineProblem(reason: String(describing: error))
        }
    }

    private static func parseObject(_ scanner: inout JSONScanner) throws -> ExportedEvent {
        var position: UInt64?
        var streamID: String?
        var version: UInt64?
        var id: UUID?
        var type: String?
        var recordedAt: Int64?
        var actor: String?
        var correlationID: UUID??
        var causationID: UUID??
        var payload: [UInt8]?
        var seen = Set<Int>()
        var text: [UInt8] = []

        scanner.skipWhitespace()
        try scanner.expect(0x7B, "'{' to start the event object")
        scanner.skipWhitespace()
        var more = !scanner.consume(0x7D)
        while more {
            scanner.skipWhitespace()
            let nameStart = scanner.index
            text.removeAll(keepingCapacity: true)
            try scanner.readString(into: &text)
            let name = text
            guard let field = Field.allCases.first(where: { ExportColumns.nameBytes[$0.rawValue] == name }) else {
                throw LineProblem(reason: "unknown field '\(InputQuote.bounded(bytes: name))' at column \(nameStart + 1)")
            }
            guard seen.insert(field.rawValue).inserted else {
                throw LineProblem(reason: "field '\(field.name)' appears twice")
            }
            scanner.skipWhitespace()
            try scanner.expect(0x3A, "':' after a field name")
            scanner.skipWhitespace()
            let valueStart = scanner.index
            func problem(_ reason: String) -> LineProblem {
                LineProblem(reason: "field '\(field.name)' at column \(valueStart + 1): \(reason)")
            }
            func string() throws -> [UInt8] {
                guard scanner.current == 0x22 else { throw problem("expected a string") }
                text.removeAll(keepingCapacity: true)
                try scanner.readString(into: &text)
                return text
            }
            func positiveInteger() throws -> UInt64 {
                let value = try scanner.readUInt64()
                guard value > 0 else { throw problem("must be at least 1") }
                return value
            }
            func uuid() throws -> UUID {
                let bytes = try string()
                guard let value = bytes.withUnsafeBytes({ UUIDText.parse($0) }) else {
                    throw problem("'\(InputQuote.bounded(bytes: bytes))' is not a UUID")
                }
                return value
            }
            func optionalUUID() throws -> UUID? {
                if scanner.current == 0x22 { return try uuid() }
                guard scanner.hasPrefix(Self.null) else { throw problem("expected a UUID string or null") }
                scanner.advance(by: Self.null.count)
                return nil
            }
            switch field {
            case .position: position = try positiveInteger()
            case .version: version = try positiveInteger()
            case .stream: streamID = String(decoding: try string(), as: UTF8.self)
            case .type: type = String(decoding: try string(), as: UTF8.self)
            case .actor: actor = String(decoding: try string(), as: UTF8.self)
            case .eventId: id = try uuid()
            case .correlationId: correlationID = .some(try optionalUUID())
            case .causationId: causationID = .some(try optionalUUID())
            case .recordedAt:
                let bytes = try string()
                switch bytes.withUnsafeBytes({ UTCTimestamp.parse($0) }) {
                case .success(let micros): recordedAt = micros
                case .failure(let error):
                    throw problem("'\(InputQuote.bounded(bytes: bytes))' is not a time: \(error.reason)")
                }
            case .data: payload = try data(&scanner, problem: problem)
            }
            scanner.skipWhitespace()
            if scanner.consume(0x7D) {
                more = false
            } else {
                try scanner.expect(0x2C, "',' or '}' after a field")
            }
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else {
            throw LineProblem(reason: "unexpected text after the event object at column \(scanner.index + 1)")
        }
        let missing = Field.allCases.filter { !seen.contains($0.rawValue) }.map(\.name)
        guard missing.isEmpty,
              let position, let streamID, let version, let id, let type, let recordedAt, let actor,
              let correlationID, let causationID, let payload
        else {
            throw LineProblem(reason: "missing field\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return ExportedEvent(
            position: position, streamID: streamID, version: version, recordedAtMicros: recordedAt,
            event: EventData(
                id: id, type: type, payload: payload, actor: actor, correlationID: correlationID,
                causationID: causationID, recordedAt: nil))
    }

    /// Reads the `data` value back into payload bytes; the inverse of
    /// ``ExportRenderer/appendData(_:to:)``.
    private static func data(
        _ scanner: inout JSONScanner, problem: (String) -> LineProblem
    ) throws -> [UInt8] {
        if scanner.current == 0x22 {
            var bytes: [UInt8] = []
            try scanner.readString(into: &bytes)
            return bytes
        }
        if scanner.hasPrefix(ExportColumns.base64Prefix) {
            scanner.advance(by: ExportColumns.base64Prefix.count)
            var encoded: [UInt8] = []
            try scanner.readString(into: &encoded)
            try scanner.expect(0x7D, "'}' to close the base64 payload")
            guard let decoded = Data(base64Encoded: Data(encoded)) else {
                throw problem("the base64 payload is not valid base64")
            }
            return Array(decoded)
        }
        let start = scanner.index
        try scanner.skipValue()
        return Array(UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.index]))
    }
}
