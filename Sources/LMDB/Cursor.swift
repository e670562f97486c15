import CLMDB

/// A position in one database, moved with the methods below.
///
/// Lent to the closure of `withCursor(on:_:)` and closed after it. Each move
/// returns the ``Entry`` it lands on, or `nil` past either end.
public struct Cursor: ~Copyable {
    let handle: OpaquePointer
    /// The database this cursor walks.
    public let database: Database

    init(handle: OpaquePointer, database: Database) {
        self.handle = handle
        self.database = database
    }

    @inline(__always)
    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws(LMDBError) -> Entry? {
        var k = key.map(RawOperations.value) ?? MDB_val()
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get(\(database.name))")
        return Entry(key: RawOperations.buffer(k), value: RawOperations.buffer(v))
    }

    /// Moves to the first entry.
    public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// Moves to the last entry.
    public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// Moves to the next entry.
    public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// Moves to the previous entry.
    public func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// Moves to the first entry whose key is greater than or equal to `key`.
    public func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try move(MDB_SET_RANGE, key: key)
    }
    /// Moves to the entry whose key equals `key`.
    public func seek(exactly key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try move(MDB_SET_KEY, key: key)
    }
    /// Moves to the last entry whose key is less than or equal to `key`.
    public func seek(atMost key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        if let entry = try seek(atLeast: key) {
            if entry.key.elementsEqual(key) { return entry }
            return try previous()
        }
        return try last()
    }
}
