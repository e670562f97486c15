import Foundation
import LMDB

/// One factory per kind of store error, named and labelled as the throw
/// sites spell them (`throw .wrongExpectedVersion(stream:expected:actual:)`).
extension EventStoreError {
    /// The stream was not at the version the append was decided on.
    /// `actual` is 0 when the stream does not exist.
    public static func wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: UInt64) -> Self {
        var error = Self(.wrongExpectedVersion)
        error.stream = stream
        error.expectedVersion = expected
        error.actualVersion = actual
        return error
    }

    /// An event id is already stored with other content, in another stream
    /// or order, or only some of the append's ids are stored.
    public static func eventIDConflict(eventID: UUID, stream: String, reason: String) -> Self {
        var error = Self(.eventIDConflict, stream: stream, reason: reason)
        error.eventID = eventID
        return error
    }

    /// A stream id is empty, too long, or holds characters that are not allowed.
    public static func invalidStreamID(_ id: String, reason: String) -> Self {
        Self(.invalidStreamID, stream: id, reason: reason)
    }

    /// An event type is empty, too long, or not valid text.
    public static func invalidEventType(_ type: String, stream: String, reason: String) -> Self {
        var error = Self(.invalidEventType, stream: stream, reason: reason)
        error.eventType = type
        return error
    }

    /// An actor name is too long or not valid text.
    public static func invalidActor(_ actor: String, stream: String, reason: String) -> Self {
        var error = Self(.invalidActor, stream: stream, reason: reason)
        error.actor = actor
        return error
    }

    /// A payload is larger than the configured limit.
    public static func payloadTooLarge(stream: String, eventID: UUID, size: Int, limit: Int) -> Self {
        var error = Self(.payloadTooLarge)
        error.stream = stream
        error.eventID = eventID
        error.payloadSize = size
        error.payloadLimit = limit
        return error
    }

    /// The append names no stream, a stream with no events, or a stream twice.
    public static func invalidAppend(reason: String) -> Self {
        Self(.invalidAppend, reason: reason)
    }

    /// The map reached its configured maximum size or the disk is full;
    /// nothing of the append was written.
    public static func storageFull(detail: String) -> Self {
        Self(.storageFull, reason: detail)
    }

    /// A stored event could not be decoded.
    public static func corruptEvent(position: UInt64, reason: String) -> Self {
        Self(.corruptEvent, position: position, reason: reason)
    }

    /// A stored event's bytes no longer match the CRC-32C written with them:
    /// the data file was damaged. Every read of an event checks this, so
    /// damaged data is refused rather than answered. `stream` is the stream
    /// id as the damaged bytes hold it.
    public static func checksumMismatch(position: UInt64, stream: String, stored: UInt32, computed: UInt32) -> Self {
        var error = Self(.checksumMismatch, stream: stream, position: position)
        error.storedChecksum = stored
        error.computedChecksum = computed
        return error
    }

    /// The path does not hold a ledger, or holds one of an unknown format.
    public static func notALedger(path: String, reason: String) -> Self {
        var error = Self(.notALedger, reason: reason)
        error.path = path
        return error
    }

    /// A projection refused or failed to apply an event; the append that
    /// carried it was not written.
    public static func projectionFailed(stream: String, position: UInt64, reason: String) -> Self {
        Self(.projectionFailed, stream: stream, position: position, reason: reason)
    }

    /// Every reader slot of the ledger is taken by an open read, in this or
    /// another process, so a read (or an open) could not begin. Nothing was
    /// read or written; try again when reads have finished. `max` is the
    /// ledger's number of slots.
    public static func readersFull(max: Int) -> Self {
        var error = Self(.readersFull)
        error.readerSlots = max
        return error
    }

    /// A file of the ledger (data file, lock file or writer lock) was
    /// deleted or replaced while this process had it open; nothing was
    /// written. The process must reopen the ledger.
    public static func ledgerFileReplaced(detail: String) -> Self {
        Self(.ledgerFileReplaced, reason: detail)
    }

    /// The store was opened read-only (``EventStoreOptions/readOnly``) and
    /// cannot do what was asked; nothing was written.
    public static func readOnly(path: String, reason: String) -> Self {
        var error = Self(.readOnly, reason: reason)
        error.path = path
        return error
    }

    /// The ledger at `path` is of the older on-disk format `stored` and was
    /// opened for writing by a build that writes format `current`: it reads
    /// as it is, and is written only once `jobledger upgrade` raised its
    /// format. Nothing was written.
    public static func formatUpgradeNeeded(path: String, stored: Int, current: Int) -> Self {
        var error = Self(
            .formatUpgradeNeeded,
            reason: "is a format-\(stored) ledger and this build writes format \(current): it reads it as it is, but "
                + "opens it for writing only once upgraded. Run `jobledger upgrade --db \(path)`, which first backs "
                + "it up to \(path).format-\(stored)-backup; nothing was written")
        error.path = path
        return error
    }

    /// An upgrade of the ledger at `path` was refused: its backup exists
    /// already, could not be made, or failed its check. Nothing was changed.
    public static func upgradeRefused(path: String, reason: String) -> Self {
        var error = Self(.upgradeRefused, reason: reason)
        error.path = path
        return error
    }

    /// The store was closed.
    public static var closed: Self { Self(.closed) }

    /// LMDB failed in a way not covered above.
    public static func storage(_ lmdbError: LMDBError) -> Self {
        var error = Self(.storage)
        error.lmdbError = lmdbError
        return error
    }

    /// The database server of a backend could not be reached or failed a
    /// statement: `detail` names the operation and the server's message.
    public static func database(_ detail: String) -> Self {
        Self(.database, reason: detail)
    }

    /// A backup or restore to `path` could not be made, or the copy failed
    /// its check; the ledger it was taken from is untouched.
    public static func backupFailed(path: String, reason: String) -> Self {
        var error = Self(.backupFailed, reason: reason)
        error.path = path
        return error
    }

    /// The projections of the ledger at `path` were rebuilt, since this
    /// store opened, by a build whose projection version is `stored` (a
    /// newer build rebuilds them when it opens the ledger), while this
    /// store indexes by `running`: appending would index by the older
    /// rules. Nothing was written; the process must be restarted, on the
    /// newer build, to append again.
    public static func projectionsRebuilt(path: String, stored: String, running: String) -> Self {
        var error = Self(
            .projectionsRebuilt,
            reason: "its projections were rebuilt by a newer build (projection version \(stored)) since this process "
                + "opened it (it indexes by \(running)); this process must be restarted, on the newer build, before "
                + "it appends. Nothing was written")
        error.path = path
        return error
    }

    private init(_ code: Code, stream: String? = nil, position: UInt64? = nil, reason: String? = nil) {
        self.init(code)
        self.stream = stream
        self.position = position
        self.reason = reason
    }
}
