import Foundation
import LMDB

/// Events read from an import, checked line by line and against the
/// digest chain, not yet imported.
public struct ImportBatch: Sendable {
    let readLines: [ImportReader.Line]
    /// The digest the closing line carries, checked against every line
    /// (64 lowercase hexadecimal digits).
    public let digest: String

    init(lines: [ImportReader.Line], digest: String) {
        readLines = lines
        self.digest = digest
    }

    /// The number of events.
    public var count: Int { readLines.count }

    /// The events with their line numbers, in file order.
    package var lines: [ImportedLine] { readLines.map { ImportedLine(number: $0.number, $0.event) } }
}

/// Reads and checks import lines before anything touches the ledger.
struct ImportReader {
    /// One event with the line it came from.
    struct Line: Sendable {
        let number: Int
        let event: ExportedEvent
    }

    let limits: EventLimits
    private(set) var events: [Line] = []
    private var lineNumber = 0
    private var previous: (position: UInt64, line: Int)?
    private var chain = ExportDigestChain()
    /// The digest of the lines read so far.
    var digestHex: String { chain.hex }
    /// The line of the closing line, once read.
    private(set) var closingLine: Int?
    private static let nilUUID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Checks the closing line against the chain of the lines before it.
    private mutating func addClosing(_ line: UnsafeRawBufferPointer) -> ImportError? {
        guard let closing = ExportDigestChain.parseClosing(line) else {
            return .malformedLine(
                line: lineNumber,
                reason: "a closing line must be exactly {\"count\":N,\"digest\":\"<64 lowercase hex digits>\"}")
        }
        closingLine = lineNumber
        guard closing.count == chain.count else {
            return .brokenChain(
                line: lineNumber,
                reason: "the closing line counts \(closing.count) events but the file holds \(chain.count)")
        }
        guard closing.digest == ExportDigestChain.hexBytes(chain.last) else {
            return .brokenChain(line: lineNumber, reason: "the closing line's digest is not the last line's digest")
        }
        return nil
    }

    /// Checks that the input ended with its closing line; call after the last line.
    func finish() -> ImportError? {
        closingLine == nil ? .missingClosingLine(line: lineNumber + 1) : nil
    }

    init(limits: EventLimits) {
        self.limits = limits
    }

    /// Reads one line (without its line feed); `nil` when it is fine.
    mutating func add(_ line: UnsafeRawBufferPointer) -> ImportError? {
        lineNumber += 1
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        if let closingLine {
            return .malformedLine(line: lineNumber, reason: "text after the closing line on line \(closingLine)")
        }
        if line.starts(with: ExportDigestChain.closingPrefix) { return addClosing(line) }
        let contentEnd = ExportDigestChain.contentEnd(of: line)
        let parsed: Result<ExportedEvent, ExportedEvent.LineProblem>
        if let contentEnd {
            // The event is the line without its digest field.
            var object = Array(UnsafeRawBufferPointer(rebasing: line[..<contentEnd]))
            object.append(0x7D)
            parsed = object.withUnsafeBytes { bytes in Result { () throws(ExportedEvent.LineProblem) in try ExportedEvent.parse(bytes) } }
        } else {
            parsed = Result { () throws(ExportedEvent.LineProblem) in try ExportedEvent.parse(line) }
        }
        let event: ExportedEvent
        switch parsed {
        case .success(let value): event = value
        case .failure(let problem): return .malformedLine(line: lineNumber, reason: problem.reason)
        }
        guard let contentEnd else {
            return .malformedLine(
                line: lineNumber,
                reason: "the line has no digest: it must end in ,\"digest\":\"<64 lowercase hex digits>\"}")
        }
        if event.event.id == Self.nilUUID {
            return .malformedLine(line: lineNumber, reason: "field 'eventId' is the nil UUID")
        }
        guard LedgerTimeRange.micros.contains(event.recordedAtMicros) else {
            return .malformedLine(
                line: lineNumber, reason: "field 'recordedAt' is outside \(LedgerTimeRange.description)")
        }
        chain.add(UnsafeRawBufferPointer(rebasing: line[..<contentEnd]))
        let digest = ExportDigestChain.digestText(of: line)
        guard digest == ExportDigestChain.hexBytes(chain.last) else {
            return .brokenChain(
                line: lineNumber,
                reason: "its digest is not the SHA-256 of the digest before it and the line (the line, or one "
                    + "before it, was edited, removed or moved)")
        }
        if let previous, event.position <= previous.position {
            return .malformedLine(
                line: lineNumber,
                reason: "position \(event.position) is not after position \(previous.position) on line \(previous.line)")
        }
        previous = (event.position, lineNumber)
        do {
            try AppendValidation.validate(
                [StreamAppend(streamID: event.streamID, expectedVersion: .any, events: [event.event])], limits: limits)
        } catch {
            return .invalidEvent(line: lineNumber, error: error)
        }
        events.append(Line(number: lineNumber, event: event))
        return nil
    }

    /// Splits `text` at line feeds (dropping a carriage return before each)
    /// and reads every line; a last line without a line feed counts too.
    mutating func addLines(of text: UnsafeRawBufferPointer) -> ImportError? {
        var start = 0
        while start < text.count {
            let newline = text[start...].firstIndex(of: 0x0A)
            var end = newline ?? text.count
            if end > start && text[end - 1] == 0x0D { end -= 1 }
            if let error = add(UnsafeRawBufferPointer(rebasing: text[start..<end])) { return error }
            start = (newline ?? text.count) + 1
        }
        return finish()
    }
}
