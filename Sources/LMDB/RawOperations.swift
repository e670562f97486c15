import CLMDB

/// The LMDB calls shared by read and write transactions.
enum RawOperations {
    @inline(__always)
    static func value(_ buffer: UnsafeRawBufferPointer) -> MDB_val {
        MDB_val(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }

    @inline(__always)
    static func buffer(_ value: MDB_val) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
    }

    static func get(
        _ txn: OpaquePointer, _ key: UnsafeRawBufferPointer, _ db: Database
    ) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var k = value(key)
        var v = MDB_val()
        let rc = mdb_get(txn, db.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get(\(db.name))")
        return buffer(v)
    }

    static func statistics(_ txn: OpaquePointer, _ db: Database) throws(LMDBError) -> DatabaseStatistics {
        var stat = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &stat), "mdb_stat(\(db.name))")
        return DatabaseStatistics(
            entries: stat.ms_entries,
            depth: Int(stat.ms_depth),
            pages: stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages
        )
    }

    static func withCursor<R>(
        _ txn: OpaquePointer, _ db: Database, _ body: (inout Cursor) throws -> R
    ) throws -> R {
        var handle: OpaquePointer?
        try check(mdb_cursor_open(txn, db.dbi, &handle), "mdb_cursor_open(\(db.name))")
        var cursor = Cursor(handle: handle!, database: db)
        defer { mdb_cursor_close(handle) }
        return try body(&cursor)
    }
}
