import CLMDB

/// Flags for ``WriteTransaction/put(_:_:in:flags:)``.
public struct PutFlags: OptionSet, Sendable {
    /// The raw `MDB_*` bits.
    public let rawValue: UInt32
    /// Creates flags from raw `MDB_*` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with ``LMDBError/Code/keyExists`` instead of overwriting.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every key in the database: a fast append.
    /// Fails with ``LMDBError/Code/keyExists`` when it does not.
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
}
