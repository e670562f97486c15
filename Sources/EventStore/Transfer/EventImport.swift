import Foundation
import LMDB

/// What an import did, or (for a dry run) would do.
public struct ImportReport: Sendable, Hashable {
    /// Events written.
    public let imported: Int
    /// Events skipped because the ledger already holds them: same id,
    /// stream, version, type, time, actor, correlation and causation ids,
    /// and payload.
    public let skipped: Int
    /// The ledger's last position after the import.
    public let lastPosition: UInt64
    /// True when nothing was written because the import was a dry run.
    public let dryRun: Bool

    /// Creates a report; ``EventStore/importEvents(lines:dryRun:)`` does this.
    public init(imported: Int, skipped: Int, lastPosition: UInt64, dryRun: Bool) {
        self.imported = imported
        self.skipped = skipped
        self.lastPosition = lastPosition
        self.dryRun = dryRun
    }
}

/// Why an import was refused. Nothing is written when an import throws.
///
/// Line numbers count from 1 and include blank lines.
public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line is not an export line: bad JSON, a missing, repeated or
    /// unknown field, a bad UUID or time, or a position not after the
    /// previous line's.
    case malformedLine(line: Int, reason: String)
    /// The event is not stored yet and its version does not follow the
    /// stream's: `expected` is the stream's current version plus one.
    case versionGap(line: Int, stream: String, expected: UInt64, found: UInt64)
    /// The event's id is already stored with other content (another stream,
    /// version, type, time, actor, ids or payload).
    case eventIDConflict(line: Int, eventID: UUID, reason: String)
    /// The event breaks the ledger's limits (stream id, type, actor, payload
    /// size) or a projection refused it.
    case invalidEvent(line: Int, error: EventStoreError)
    /// The digest chain breaks at this line: the line's digest, or the
    /// closing line's count or digest, is not what the lines up to it give.
    /// The line, or one before it, was edited, removed, added or moved.
    case brokenChain(line: Int, reason: String)
    /// The input ends without its closing line: it was cut short, or it is
    /// not a chained export. `line` is where the closing line should be.
    case missingClosingLine(line: Int)
    /// A validator of the ledger's domain refused the line: it is a history
    /// that the ledger's commands could not have written.
    case invalidHistory(line: Int, reason: String)
    /// The input could not be read.
    case unreadableInput(reason: String)
    /// The ledger refused the import or failed to store it.
    case storage(EventStoreError)

    /// The 1-based line the error is about, when it is about one.
    public var line: Int? {
        switch self {
        case let .malformedLine(line, _), let .versionGap(line, _, _, _), let .eventIDConflict(line, _, _),
             let .invalidEvent(line, _), let .brokenChain(line, _), let .missingClosingLine(line),
             let .invalidHistory(line, _):
            return line
        case .unreadableInput, .storage:
            return nil
        }
    }

    /// A sentence naming the line and what is wrong with it.
    public var description: String {
        switch self {
        case let .malformedLine(line, reason):
            return "line \(line): \(InputQuote.bounded(reason, limit: 400))"
        case let .versionGap(line, stream, expected, found):
            return "line \(line): stream '\(stream)' needs version \(expected) next, but the line has version \(found)"
        case let .eventIDConflict(line, id, reason):
            return "line \(line): event id \(id.uuidString.lowercased()) conflicts with the ledger: \(reason)"
        case let .invalidEvent(line, error):
            return "line \(line): \(InputQuote.bounded(error.description, limit: 400))"
        case let .brokenChain(line, reason):
            return "line \(line): the digest chain breaks here: \(reason)"
        case let .missingClosingLine(line):
            return "line \(line): the closing line {\"count\":N,\"digest\":\"…\"} is missing: the file was cut short "
                + "or is not an export with digests"
        case let .invalidHistory(line, reason):
            return "line \(line): \(reason)"
        case let .unreadableInput(reason):
            return "cannot read the import: \(reason)"
        case let .storage(error):
            return "import failed: \(error)"
        }
    }
}

extension EventStore {
    /// Imports events from JSON Lines export lines, all or nothing, in one
    /// write transaction.
    ///
    /// Each line is one event, applied in file order as its own append to
    /// its stream, expecting the stream at the line's version minus one,
    /// with the line's event id and recorded time (to the microsecond).
    /// Events land at the next free positions, so the file's order becomes
    /// the ledger's order: a whole-log export imported into an empty ledger
    /// gets its positions back and exports again to the same bytes. The
    /// `position` field only orders the lines: it must increase from line to
    /// line. Blank lines are ignored.
    ///
    /// Events the ledger already holds, identical in every field, are
    /// skipped, so importing the same file twice changes nothing the second
    /// time. The whole input is read and checked before the write
    /// transaction starts; memory grows with the input.
    ///
    /// - Parameters:
    ///   - lines: The lines, without their line feeds.
    ///   - dryRun: Check everything, including against the ledger, then
    ///     roll back; the report says what would have happened.
    /// - Throws: ``ImportError`` naming the first line that cannot be
    ///   imported; nothing is written then.
    @discardableResult
    public func importEvents(lines: some Sequence<String>, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        var reader = ImportReader(limits: options.limits)
        for line in lines {
            var line = line
            if let error = line.withUTF8({ reader.add(UnsafeRawBufferPointer($0)) }) { throw error }
        }
        if let error = reader.finish() { throw error }
        return try applyImport(reader.events, dryRun: dryRun)
    }

    /// Imports JSON Lines text held in memory. See ``importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(jsonLines data: Data, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        var reader = ImportReader(limits: options.limits)
        if let error = data.withUnsafeBytes({ reader.addLines(of: $0) }) { throw error }
        return try applyImport(reader.events, dryRun: dryRun)
    }

    /// Imports the JSON Lines file at `path`. See ``importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(fromFile path: String, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableInput(reason: "'\(path)': \(error.localizedDescription)")
        }
        return try importEvents(jsonLines: data, dryRun: dryRun)
    }

    /// Imports JSON Lines read from `handle` to its end, such as standard
    /// input. See ``importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(from handle: FileHandle, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw .unreadableInput(reason: error.localizedDescription)
        }
        return try importEvents(jsonLines: data, dryRun: dryRun)
    }

    /// Reads and checks import text (every line, digest, the count and the
    /// closing line, the ledger's `limits`) without touching any ledger, so
    /// that a domain can check the events before they are imported with
    /// ``importEvents(_:dryRun:)``.
    public static func readImport(jsonLines data: Data, limits: EventLimits = EventLimits()) throws(ImportError) -> ImportBatch {
        var reader = ImportReader(limits: limits)
        if let error = data.withUnsafeBytes({ reader.addLines(of: $0) }) { throw error }
        return ImportBatch(lines: reader.events)
    }

    /// The bytes of the file at `path`, for ``readImport(jsonLines:limits:)``.
    public static func importData(fromFile path: String) throws(ImportError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableInput(reason: "'\(path)': \(error.localizedDescription)")
        }
    }

    /// The bytes read from `handle` to its end, for ``readImport(jsonLines:limits:)``.
    public static func importData(from handle: FileHandle) throws(ImportError) -> Data {
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw .unreadableInput(reason: error.localizedDescription)
        }
    }

    /// Imports events read by ``readImport(jsonLines:limits:)``, all or
    /// nothing. See ``importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(_ batch: ImportBatch, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        try applyImport(batch.readLines, dryRun: dryRun)
    }

    private func applyImport(_ lines: [ImportReader.Line], dryRun: Bool) throws(ImportError) -> ImportReport {
        if let appendRefusal { throw .storage(appendRefusal) }
        let layout = self.layout
        let projections = options.projections
        let tables = projectionTables
        let report: ImportReport
        do {
            report = try environment.write { txn in
                // May run again after the map grows: start from scratch.
                var applier = AppendApplier(layout: layout, projections: projections, tables: tables)
                var next = try applier.lastPosition(in: txn) + 1
                var imported = 0
                var skipped = 0
                for line in lines {
                    let item = line.event
                    let append = StreamAppend(
                        streamID: item.streamID, expectedVersion: .exact(item.version - 1), events: [item.event])
                    let outcome: Result<AppendResult, EventStoreError>
                    do {
                        // The event carries no `recordedAt`, so the applier
                        // stamps it with the "now" given: the line's time, to
                        // the microsecond, without a round trip through Date.
                        outcome = try applier.apply(
                            [append], in: txn, nextPosition: &next, nowMicros: item.recordedAtMicros)
                    } catch let error as EventStoreError {
                        throw ImportError.invalidEvent(line: line.number, error: error)
                    }
                    switch outcome {
                    case .success(let result) where result.wasAlreadyStored:
                        let position = result.streams[0].positions[0]
                        if let problem = try Self.storedDifference(item, at: position, in: txn, layout: layout) {
                            throw ImportError.eventIDConflict(line: line.number, eventID: item.event.id, reason: problem)
                        }
                        skipped += 1
                    case .success:
                        imported += 1
                    case .failure(let error) where error.code == .wrongExpectedVersion:
                        throw ImportError.versionGap(
                            line: line.number, stream: error.stream ?? item.streamID, expected: (error.actualVersion ?? 0) + 1,
                            found: item.version)
                    case .failure(let error) where error.code == .eventIDConflict:
                        throw ImportError.eventIDConflict(
                            line: line.number, eventID: error.eventID ?? item.event.id, reason: error.reason ?? "")
                    case .failure(let error):
                        throw ImportError.invalidEvent(line: line.number, error: error)
                    }
                }
                let report = ImportReport(imported: imported, skipped: skipped, lastPosition: next - 1, dryRun: dryRun)
                if dryRun { throw DryRunRollback(report: report) }
                if imported > 0 {
                    try CommitClock.record(micros: Date().microsecondsSince1970, in: txn, meta: layout.meta)
                }
                return report
            }
        } catch let error as ImportError {
            throw error
        } catch let rollback as DryRunRollback {
            return rollback.report
        } catch {
            throw .storage(EventStoreError.wrap(error))
        }
        if report.imported > 0 { notifier.notify() }
        return report
    }

    /// How the stored event at `position`, which has the line's id, stream,
    /// type and payload, differs from the line in its other fields; `nil`
    /// when it does not.
    private static func storedDifference(
        _ item: ExportedEvent, at position: UInt64, in txn: borrowing WriteTransaction, layout: StoreLayout
    ) throws -> String? {
        try withBigEndianBytes(of: position) { key in
            guard let bytes = try txn.get(key, in: layout.events) else {
                return "its id names position \(position), which holds no event"
            }
            let view = try Self.view(bytes, position: position)
            var differences: [String] = []
            if view.streamVersion != item.version {
                differences.append("version \(view.streamVersion), not \(item.version)")
            }
            if view.recordedAtMicros != item.recordedAtMicros {
                differences.append(
                    "recordedAt \(timestamp(view.recordedAtMicros)), not \(timestamp(item.recordedAtMicros))")
            }
            if !view.actor.elementsEqual(item.event.actor.utf8) {
                differences.append("actor '\(String(decoding: view.actor, as: UTF8.self))', not '\(item.event.actor)'")
            }
            if view.correlationID != item.event.correlationID { differences.append("another correlationId") }
            if view.causationID != item.event.causationID { differences.append("another causationId") }
            if differences.isEmpty { return nil }
            return "it is already stored at position \(position) with \(differences.joined(separator: ", "))"
        }
    }

    private static func timestamp(_ micros: Int64) -> String {
        var bytes: [UInt8] = []
        UTCTimestamp.append(micros: micros, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Events read from an import, checked line by line and against the
/// digest chain, not yet imported.
public struct ImportBatch: Sendable {
    let readLines: [ImportReader.Line]

    init(lines: [ImportReader.Line]) {
        readLines = lines
    }

    /// The number of events.
    public var count: Int { readLines.count }

    /// The events with their line numbers, in file order.
    package var lines: [ImportedLine] { readLines.map { ImportedLine(number: $0.number, $0.event) } }
}

/// Ends a dry run's write transaction without committing it.
private struct DryRunRollback: Error {
    let report: ImportReport
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
