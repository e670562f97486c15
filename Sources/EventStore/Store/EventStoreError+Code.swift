extension EventStoreError {
    /// The kind of a store error: what a caller branches on.
    ///
    /// A struct over a private list rather than a public enum, so that a
    /// later version can add a kind without breaking a caller's `switch`.
    /// Compare with the known kinds (`error.code == .wrongExpectedVersion`)
    /// or match them in a `catch` (`catch EventStoreError.Code.readersFull`).
    /// ``name`` is stable: problem documents and logs carry it.
    public struct Code: StableErrorCode {
        private enum Kind: String, CaseIterable {
            case wrongExpectedVersion = "wrong_expected_version"
            case eventIDConflict = "event_id_conflict"
            case invalidStreamID = "invalid_stream_id"
            case invalidEventType = "invalid_event_type"
            case invalidActor = "invalid_actor"
            case payloadTooLarge = "payload_too_large"
            case invalidAppend = "invalid_append"
            case storageFull = "storage_full"
            case corruptEvent = "corrupt_event"
            case checksumMismatch = "checksum_mismatch"
            case notALedger = "not_a_ledger"
            case projectionFailed = "projection_failed"
            case readersFull = "readers_full"
            case ledgerFileReplaced = "ledger_file_replaced"
            case readOnly = "read_only"
            case formatUpgradeNeeded = "format_upgrade_needed"
            case upgradeRefused = "upgrade_refused"
            case closed
            case storage
            case database
            case backupFailed = "backup_failed"
            case projectionsRebuilt = "projections_rebuilt"
        }

        private let kind: Kind

        private init(_ kind: Kind) { self.kind = kind }

        /// The stable name, in snake case (`wrong_expected_version`).
        public var name: String { kind.rawValue }

        /// Every kind this version of the store knows, in a fixed order.
        /// A later version may add to it.
        public static var known: [Code] { Kind.allCases.map(Code.init) }

        /// The stream was not at the version the append was decided on.
        public static let wrongExpectedVersion = Code(.wrongExpectedVersion)
        /// An event id is already stored with other content or elsewhere.
        public static let eventIDConflict = Code(.eventIDConflict)
        /// A stream id is empty, too long, or holds characters not allowed.
        public static let invalidStreamID = Code(.invalidStreamID)
        /// An event type is empty, too long, or not valid text.
        public static let invalidEventType = Code(.invalidEventType)
        /// An actor name is too long or not valid text.
        public static let invalidActor = Code(.invalidActor)
        /// A payload is larger than the configured limit.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// The append names no stream, a stream with no events, or a stream twice.
        public static let invalidAppend = Code(.invalidAppend)
        /// The map or the disk is full; nothing of the append was written.
        public static let storageFull = Code(.storageFull)
        /// A stored event could not be decoded.
        public static let corruptEvent = Code(.corruptEvent)
        /// A stored event's bytes fail their checksum.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The path does not hold a usable ledger.
        public static let notALedger = Code(.notALedger)
        /// A projection refused or failed to apply an event.
        public static let projectionFailed = Code(.projectionFailed)
        /// Every reader slot of the ledger is taken.
        public static let readersFull = Code(.readersFull)
        /// A file of the ledger was deleted or replaced while open.
        public static let ledgerFileReplaced = Code(.ledgerFileReplaced)
        /// The store is open read-only and cannot do what was asked.
        public static let readOnly = Code(.readOnly)
        /// The ledger is of an older on-disk format and was opened for
        /// writing: it must be upgraded first (`jobledger upgrade`).
        public static let formatUpgradeNeeded = Code(.formatUpgradeNeeded)
        /// An upgrade of the ledger's format was refused; nothing was changed.
        public static let upgradeRefused = Code(.upgradeRefused)
        /// The store was closed.
        public static let closed = Code(.closed)
        /// LMDB failed in a way no other kind covers.
        public static let storage = Code(.storage)
        /// The database server of a backend such as PostgreSQL could not be
        /// reached, or failed a statement; nothing of the operation was
        /// committed unless the error says so.
        public static let database = Code(.database)
        /// A backup or restore could not be made, or its copy failed the
        /// check that follows it; the ledger itself is untouched.
        public static let backupFailed = Code(.backupFailed)
        /// Another build rebuilt the ledger's projections by other rules
        /// since this store opened; the store must be reopened (its process
        /// restarted) before it appends. Nothing was written.
        public static let projectionsRebuilt = Code(.projectionsRebuilt)

        /// Whether `error` is a store error of this kind, for `catch` and
        /// `case` patterns.
        public static func ~= (pattern: Code, error: any Error) -> Bool {
            (error as? EventStoreError)?.code == pattern
        }
    }
}
