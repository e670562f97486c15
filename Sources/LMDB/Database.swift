import CLMDB

/// A handle to a named database inside an ``Environment``.
///
/// Handles are plain values: they stay valid for the life of the environment
/// that opened them and may be shared between threads.
public struct Database: Sendable, Hashable {
    /// The name given when the database was opened.
    public let name: String
    let dbi: MDB_dbi

    init(name: String, dbi: MDB_dbi) {
        self.name = name
        self.dbi = dbi
    }
}

/// Flags for opening a named database.
public struct DatabaseFlags: OptionSet, Sendable {
    /// The raw `MDB_*` bits.
    public let rawValue: UInt32
    /// Creates flags from raw `MDB_*` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Create the database if it does not exist.
    public static let create = DatabaseFlags(rawValue: UInt32(MDB_CREATE))
    /// Keys are native-endian unsigned integers of equal size.
    public static let integerKey = DatabaseFlags(rawValue: UInt32(MDB_INTEGERKEY))
}

/// Statistics of one database, from `mdb_stat`.
public struct DatabaseStatistics: Sendable, Equatable {
    /// Number of key/value pairs.
    public let entries: Int
    /// Depth of the B-tree.
    public let depth: Int
    /// Pages used: branch, leaf and overflow.
    public let pages: Int
}
