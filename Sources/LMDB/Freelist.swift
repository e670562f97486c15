import CLMDB

/// Pages that one write transaction freed, as recorded in LMDB's freelist.
///
/// LMDB never overwrites a page that a snapshot may still read: the pages a
/// transaction frees are reused only once every reader has moved past it.
public struct FreedPages: Sendable, Hashable {
    /// The transaction that freed the pages.
    public let transactionID: Int
    /// How many pages it freed that are not reused yet.
    public let count: Int
}

extension ReadTransaction {
    /// The id of the transaction this snapshot sees: the last one committed
    /// when it began.
    public var id: Int { mdb_txn_id(handle) }

    /// The entries of LMDB's freelist (its database 0), in transaction order.
    ///
    /// Each value of that database is a list of page numbers led by its
    /// length; only the length is read.
    public func freedPages() throws(LMDBError) -> [FreedPages] {
        var cursorHandle: OpaquePointer?
        try check(mdb_cursor_open(handle, 0, &cursorHandle), "mdb_cursor_open(freelist)")
        defer { mdb_cursor_close(cursorHandle) }
        var entries: [FreedPages] = []
        var op = MDB_FIRST
        while true {
            var key = MDB_val()
            var value = MDB_val()
            let rc = mdb_cursor_get(cursorHandle, &key, &value, op)
            if rc == MDB_NOTFOUND { break }
            try check(rc, "mdb_cursor_get(freelist)")
            op = MDB_NEXT
            let word = MemoryLayout<Int>.size
            guard key.mv_size == word, value.mv_size >= word,
                  let keyBytes = key.mv_data, let valueBytes = value.mv_data
            else {
                throw LMDBError(rawCode: MDB_CORRUPTED, operation: "freelist entry of \(key.mv_size)/\(value.mv_size) bytes")
            }
            entries.append(FreedPages(
                transactionID: keyBytes.loadUnaligned(as: Int.self),
                count: valueBytes.loadUnaligned(as: Int.self)))
        }
        return entries
    }
}

extension WriteTransaction {
    /// The id this transaction will have once committed: one past the last
    /// committed transaction.
    public var id: Int { mdb_txn_id(handle) }
}
