/// How an ``EventStore`` is opened.
public struct EventStoreOptions: Sendable {
    /// Whether `append` waits for the disk.
    public enum Durability: Sendable, Hashable {
        /// Every commit is fsynced before `append` returns. The default.
        case durable
        /// Commits are not fsynced: a machine crash (not a process crash) may
        /// lose the latest appends. Only for tests and benchmarks.
        case noSyncForTestsAndBenchmarks
    }

    /// Whether appends wait for the disk.
    public var durability: Durability = .durable
    /// Initial size of the memory map. The file only takes the space it uses;
    /// the map grows by doubling when it fills.
    public var initialMapSize: Int = 256 << 20
    /// Largest size the map may grow to; `nil` means until the disk is full.
    public var maxMapSize: Int? = nil
    /// Maximum concurrent read transactions across every process.
    public var maxReaders: UInt32 = 126
    /// Most events one group commit gathers into a single transaction.
    public var maxEventsPerCommit: Int = 8192
    /// Limits on what an append may contain.
    public var limits = EventLimits()
    /// Read models kept current in each append's transaction.
    public var projections: [any Projection] = []
    /// Open for reading only: LMDB's read-only mode, no writer lock, no
    /// database created, no projection rebuilt. Such a store never waits for
    /// a writer (a stopped writer holding the write lock does not hold it
    /// up), works on a read-only file system, and refuses every write with
    /// ``EventStoreError/readOnly(path:reason:)``. The ledger must exist.
    public var readOnly = false
    /// Open a ledger of an older format for writing by raising its format
    /// first; only ``EventStore/upgradeFormat(at:backup:)`` sets it, after
    /// taking the backup.
    package var upgradesFormat = false

    /// Creates the default options: durable, 256 MiB initial map.
    public init() {}

    /// Options for tests and benchmarks: no fsync.
    public static var noSync: EventStoreOptions {
        var options = EventStoreOptions()
        options.durability = .noSyncForTestsAndBenchmarks
        return options
    }
}

/// Size and character limits checked before anything is written.
public struct EventLimits: Sendable, Hashable {
    /// Longest stream id, in UTF-8 bytes.
    public var maxStreamIDBytes = 200
    /// Longest event type, in UTF-8 bytes.
    public var maxTypeBytes = 200
    /// Longest actor, in UTF-8 bytes.
    public var maxActorBytes = 200
    /// Largest payload, in bytes. Default 1 MiB.
    public var maxPayloadBytes = 1 << 20

    /// Creates the default limits.
    public init() {}
}
