import Foundation
import LMDB

/// Everything an event store operation can refuse or fail with.
public enum EventStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stream was not at the version the append was decided on.
    /// `actual` is 0 when the stream does not exist.
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: UInt64)
    /// An event id is already stored with other content, in another stream
    /// or order, or only some of the append's ids are stored.
    case eventIDConflict(eventID: UUID, stream: String, reason: String)
    /// A stream id is empty, too long, or holds characters that are not allowed.
    case invalidStreamID(String, reason: String)
    /// An event type is empty, too long, or not valid text.
    case invalidEventType(String, stream: String, reason: String)
    /// An actor name is too long or not valid text.
    case invalidActor(String, stream: String, reason: String)
    /// A payload is larger than the configured limit.
    case payloadTooLarge(stream: String, eventID: UUID, size: Int, limit: Int)
    /// The append names no stream, a stream with no events, or a stream twice.
    case invalidAppend(reason: String)
    /// The map reached its configured maximum size or the disk is full;
    /// nothing of the append was written.
    case storageFull(detail: String)
    /// A stored event could not be decoded.
    case corruptEvent(position: UInt64, reason: String)
    /// A stored event's bytes no longer match the CRC-32C written with them:
    /// the data file was damaged. Every read of an event checks this, so
    /// damaged data is refused rather than answered. `stream` is the stream
    /// id as the damaged bytes hold it.
    case checksumMismatch(position: UInt64, stream: String, stored: UInt32, computed: UInt32)
    /// The path does not hold a ledger, or holds one of an unknown format.
    case notALedger(path: String, reason: String)
    /// A projection refused or failed to apply an event; the append that
    /// carried it was not written.
    case projectionFailed(stream: String, position: UInt64, reason: String)
    /// Every reader slot of the ledger is taken by an open read, in this or
    /// another process, so a read (or an open) could not begin. Nothing was
    /// read or written; try again when reads have finished. `max` is the
    /// ledger's number of slots.
    case readersFull(max: Int)
    /// A file of the ledger (data file, lock file or writer lock) was
    /// deleted or replaced while this process had it open; nothing was
    /// written. The process must reopen the ledger.
    case ledgerFileReplaced(detail: String)
    /// The store was opened read-only (``EventStoreOptions/readOnly``) and
    /// cannot do what was asked; nothing was written.
    case readOnly(path: String, reason: String)
    /// The store was closed.
    case closed
    /// LMDB failed in a way not covered above.
    case storage(LMDBError)

    /// A sentence naming what went wrong and where.
    public var description: String {
        switch self {
        case let .wrongExpectedVersion(stream, expected, actual):
            return "stream '\(stream)': expected version \(expected), actual version \(actual)"
        case let .eventIDConflict(id, stream, reason):
            return "event id \(id) in stream '\(stream)': \(reason)"
        case let .invalidStreamID(id, reason):
            return "invalid stream id '\(id)': \(reason)"
        case let .invalidEventType(type, stream, reason):
            return "invalid event type '\(type)' for stream '\(stream)': \(reason)"
        case let .invalidActor(actor, stream, reason):
            return "invalid actor '\(actor)' for stream '\(stream)': \(reason)"
        case let .payloadTooLarge(stream, id, size, limit):
            return "payload of event \(id) in stream '\(stream)' is \(size) bytes; the limit is \(limit)"
        case let .invalidAppend(reason):
            return "invalid append: \(reason)"
        case let .storageFull(detail):
            return "ledger storage is full: \(detail)"
        case let .corruptEvent(position, reason):
            return "event at position \(position) is corrupt: \(reason)"
        case let .checksumMismatch(position, stream, stored, computed):
            return "event at position \(position) (stream '\(stream)' as stored) is damaged: it fails its "
                + "checksum (stored \(hex(stored)), computed \(hex(computed))); the data file was changed or corrupted"
        case let .notALedger(path, reason):
            return "'\(path)' is not a usable ledger: \(reason)"
        case let .projectionFailed(stream, position, reason):
            return "projection failed on the event for stream '\(stream)' at position \(position): \(reason)"
        case let .readersFull(max):
            return "all \(max) reader slots of the ledger are taken by open reads (in this or other processes): "
                + "wait for long reads such as exports or reports to finish and try again, or close every process "
                + "of the ledger and reopen it with a larger maxReaders; storage info (`jobledger info`) names the oldest reader"
        case let .ledgerFileReplaced(detail):
            return "refused: \(detail)"
        case let .readOnly(path, reason):
            return "'\(path)' is open read-only: \(reason)"
        case .closed:
            return "the event store is closed"
        case let .storage(error):
            return "storage error: \(error)"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Wraps any error from the storage layer.
    static func wrap(_ error: any Error) -> EventStoreError {
        if let error = error as? EventStoreError { return error }
        if let error = error as? LMDBError {
            if error.code == .mapFull { return .storageFull(detail: error.description) }
            if error.code == .storageFull { return .storageFull(detail: error.operation) }
            if error.code == .system(ENOSPC) { return .storageFull(detail: "no space left on device: \(error.operation)") }
            if error.code == .fileReplaced { return .ledgerFileReplaced(detail: error.operation) }
            if error.code == .readersFull { return .readersFull(max: error.readerLimit ?? 0) }
            return .storage(error)
        }
        return .storage(LMDBError(rawCode: EIO, operation: String(describing: error)))
    }
}
