import Foundation
import LMDB

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
