import Foundation
import LMDB

/// Everything an event store operation can refuse or fail with.
///
/// A ``code`` says what kind of failure it is, and the typed optional
/// properties carry what the caller needs to act on it: each kind sets the
/// ones it names (see the factory functions, one per kind) and leaves the
/// others `nil`. New kinds and properties can be added without breaking a
/// caller, who branches on the code (`error.code == .readersFull`) rather
/// than switching over every case.
public struct EventStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public let code: Code
    /// The stream concerned: the appended stream, the invalid stream id, or
    /// the stream a damaged event names.
    public internal(set) var stream: String?
    /// The version the append was decided on (``Code/wrongExpectedVersion``).
    public internal(set) var expectedVersion: ExpectedVersion?
    /// The stream's actual version; 0 when it does not exist (``Code/wrongExpectedVersion``).
    public internal(set) var actualVersion: UInt64?
    /// The event concerned (``Code/eventIDConflict``, ``Code/payloadTooLarge``).
    public internal(set) var eventID: UUID?
    /// The refused event type (``Code/invalidEventType``).
    public internal(set) var eventType: String?
    /// The refused actor name (``Code/invalidActor``).
    public internal(set) var actor: String?
    /// The log position of the event concerned (``Code/corruptEvent``,
    /// ``Code/checksumMismatch``, ``Code/projectionFailed``).
    public internal(set) var position: UInt64?
    /// The payload's size in bytes (``Code/payloadTooLarge``).
    public internal(set) var payloadSize: Int?
    /// The configured payload limit in bytes (``Code/payloadTooLarge``).
    public internal(set) var payloadLimit: Int?
    /// The checksum stored with a damaged event (``Code/checksumMismatch``).
    public internal(set) var storedChecksum: UInt32?
    /// The checksum computed from a damaged event's bytes (``Code/checksumMismatch``).
    public internal(set) var computedChecksum: UInt32?
    /// The ledger's path (``Code/notALedger``, ``Code/readOnly``,
    /// ``Code/formatUpgradeNeeded``, ``Code/upgradeRefused``).
    public internal(set) var path: String?
    /// Why, in words: the reason of a refusal, or the detail of a full or
    /// replaced storage.
    public internal(set) var reason: String?
    /// The ledger's number of reader slots (``Code/readersFull``).
    public internal(set) var readerSlots: Int?
    /// The LMDB error underneath (``Code/storage``).
    public internal(set) var lmdbError: LMDBError?

    /// An error of kind `code` with no context yet; the factory functions
    /// fill it in.
    init(_ code: Code) { self.code = code }

    /// A sentence naming what went wrong and where.
    public var description: String {
        let stream = stream ?? "", reason = reason ?? "", position = position ?? 0
        switch code {
        case .wrongExpectedVersion:
            let expected = expectedVersion.map(String.init(describing:)) ?? ""
            return "stream '\(stream)': expected version \(expected), actual version \(actualVersion ?? 0)"
        case .eventIDConflict:
            return "event id \(eventIDText) in stream '\(stream)': \(reason)"
        case .invalidStreamID:
            return "invalid stream id '\(stream)': \(reason)"
        case .invalidEventType:
            return "invalid event type '\(eventType ?? "")' for stream '\(stream)': \(reason)"
        case .invalidActor:
            return "invalid actor '\(actor ?? "")' for stream '\(stream)': \(reason)"
        case .payloadTooLarge:
            return "payload of event \(eventIDText) in stream '\(stream)' is \(payloadSize ?? 0) bytes; "
                + "the limit is \(payloadLimit ?? 0)"
        case .invalidAppend:
            return "invalid append: \(reason)"
        case .storageFull:
            return "ledger storage is full: \(reason)"
        case .corruptEvent:
            return "event at position \(position) is corrupt: \(reason)"
        case .checksumMismatch:
            return "event at position \(position) (stream '\(stream)' as stored) is damaged: it fails its "
                + "checksum (stored \(Self.hex(storedChecksum)), computed \(Self.hex(computedChecksum))); "
                + "the data file was changed or corrupted"
        case .notALedger:
            return "'\(path ?? "")' is not a usable ledger: \(reason)"
        case .projectionFailed:
            return "projection failed on the event for stream '\(stream)' at position \(position): \(reason)"
        case .readersFull:
            return "all \(readerSlots ?? 0) reader slots of the ledger are taken by open reads (in this or other processes): "
                + "wait for long reads such as exports or reports to finish and try again, or close every process "
                + "of the ledger and reopen it with a larger maxReaders; storage info (`jobledger info`) names the oldest reader"
        case .ledgerFileReplaced:
            return "refused: \(reason)"
        case .readOnly:
            return "'\(path ?? "")' is open read-only: \(reason)"
        case .formatUpgradeNeeded:
            return "'\(path ?? "")' \(reason)"
        case .upgradeRefused:
            return "the upgrade of '\(path ?? "")' was refused, nothing was changed: \(reason)"
        case .closed:
            return "the event store is closed"
        case .database:
            return "database error: \(reason)"
        case .backupFailed:
            return "'\(path ?? "")': \(reason)"
        case .projectionsRebuilt:
            return "refused to append to '\(path ?? "")': \(reason)"
        case .storage:
            return "storage error: \(lmdbError.map(String.init(describing:)) ?? reason)"
        default:
            return reason.isEmpty ? code.name : "\(code.name): \(reason)"
        }
    }

    private var eventIDText: String { eventID.map(String.init(describing:)) ?? "" }

    private static func hex(_ value: UInt32?) -> String {
        let digits = String(value ?? 0, radix: 16)
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
