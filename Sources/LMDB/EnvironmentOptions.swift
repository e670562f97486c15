import CLMDB

/// How an ``Environment`` is opened.
public struct EnvironmentOptions: Sendable {
    /// Initial size of the memory map in bytes. The map grows on demand.
    public var mapSize: Int = 64 << 20
    /// Largest size the map may grow to; `nil` means no limit but the disk.
    public var maxMapSize: Int? = nil
    /// Maximum number of named databases.
    public var maxDatabases: UInt32 = 16
    /// Maximum number of concurrent read transactions across all processes.
    public var maxReaders: UInt32 = 126
    /// When false, commits do not fsync: fast, but a machine crash may lose
    /// the most recent commits (never corrupts the file). For tests and
    /// benchmarks only.
    public var durable: Bool = true
    /// Store the environment as a single file instead of a directory.
    public var singleFile: Bool = false
    /// Open without write access.
    public var readOnly: Bool = false
    /// Disable OS read-ahead, better for random reads over large files.
    public var noReadAhead: Bool = false
    /// File mode for newly created files (data file, lock file, writer
    /// lock). Set on the files after creation, so the umask cannot widen or
    /// narrow it: payloads are readable by the owner alone by default.
    public var fileMode: UInt32 = 0o600
    /// Mode of the directory when the environment creates it, set after
    /// creation whatever the umask.
    public var directoryMode: UInt32 = 0o700
    /// A file (created when missing) whose `flock` every write transaction
    /// of the environment, opening a database included, takes before LMDB's
    /// writer mutex. LMDB's robust mutex can lose a wake-up when a process
    /// waiting for it is killed; the kernel releases a dead process's file
    /// lock and wakes every waiter. All processes writing the file must set
    /// the same lock file. `nil`: LMDB's mutex alone.
    public var writerLockFile: String? = nil

    /// Creates the default options: 64 MiB initial map, durable commits.
    public init() {}

    var rawFlags: UInt32 {
        var flags = UInt32(MDB_NOTLS)
        if !durable { flags |= UInt32(MDB_NOSYNC) }
        if singleFile { flags |= UInt32(MDB_NOSUBDIR) }
        if readOnly { flags |= UInt32(MDB_RDONLY) }
        if noReadAhead { flags |= UInt32(MDB_NORDAHEAD) }
        return flags
    }
}
