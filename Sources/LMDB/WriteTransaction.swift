import CLMDB

/// The one write transaction of the environment.
///
/// Only available inside ``Environment/write(_:)``, which commits when the
/// closure returns and aborts when it throws. Non-copyable and lent to the
/// closure, so it cannot escape.
public struct WriteTransaction: ~Copyable {
    let handle: OpaquePointer
    let failure: WriteFailureFlag

    init(handle: OpaquePointer, failure: WriteFailureFlag) {
        self.handle = handle
        self.failure = failure
    }

    /// Another view of the same transaction, for layers of this package
    /// that hand a narrower interface to their own callers. It neither
    /// commits nor aborts; the closure of ``Environment/write(_:)`` does.
    package func lend() -> WriteTransaction {
        WriteTransaction(handle: handle, failure: failure)
    }

    /// The reads of this transaction as a ``ReadTransaction``, which sees
    /// what this transaction wrote so far: for code that only reads and is
    /// written once for both kinds.
    package func readView() -> ReadTransaction {
        ReadTransaction(handle: handle)
    }

    /// Pages of the file as of the last commit before this transaction:
    /// LMDB's last page number in use plus one.
    package var committedFilePages: Int {
        var info = MDB_envinfo()
        mdb_env_info(mdb_txn_env(handle), &info)
        return info.me_last_pgno + 1
    }

    /// Looks up `key`; the bytes live until the next write in this transaction.
    public func get(_ key: UnsafeRawBufferPointer, in db: Database) throws(LMDBError) -> UnsafeRawBufferPointer? {
        try readView().get(key, in: db)
    }

    /// Looks up `key` and copies the value out.
    public func get(_ key: [UInt8], in db: Database) throws(LMDBError) -> [UInt8]? {
        try readView().get(key, in: db)
    }

    /// Stores `value` under `key`.
    ///
    /// A full map is recorded so that ``Environment/write(_:)`` grows the map
    /// and runs the closure again, even if the closure swallows the error.
    public func put(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
        in db: Database, flags: PutFlags = []
    ) throws(LMDBError) {
        var k = RawOperations.value(key)
        var v = RawOperations.value(value)
        let rc = mdb_put(handle, db.dbi, &k, &v, flags.rawValue)
        if rc != MDB_SUCCESS {
            failure.record(rc)
            throw LMDBError(rawCode: rc, operation: "mdb_put(\(db.name))")
        }
    }

    /// Stores `value` under `key`.
    public func put(_ key: [UInt8], _ value: [UInt8], in db: Database, flags: PutFlags = []) throws(LMDBError) {
        try withBytes(of: key) { (k) throws(LMDBError) in
            try withBytes(of: value) { (v) throws(LMDBError) in try put(k, v, in: db, flags: flags) }
        }
    }

    /// Deletes `key`; returns false when it was not there.
    @discardableResult
    public func delete(_ key: UnsafeRawBufferPointer, in db: Database) throws(LMDBError) -> Bool {
        var k = RawOperations.value(key)
        let rc = mdb_del(handle, db.dbi, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del(\(db.name))")
        return true
    }

    /// Deletes `key`; returns false when it was not there.
    @discardableResult
    public func delete(_ key: [UInt8], in db: Database) throws(LMDBError) -> Bool {
        try withBytes(of: key) { (k) throws(LMDBError) -> Bool in try delete(k, in: db) }
    }

    /// Removes every entry of `db`, keeping the database itself.
    public func clear(_ db: Database) throws(LMDBError) {
        try check(mdb_drop(handle, db.dbi, 0), "mdb_drop(\(db.name))")
    }

    /// Runs `body` with a cursor over `db`, closed when `body` returns.
    public func withCursor<R>(on db: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        try readView().withCursor(on: db, body)
    }

    /// Entry count and B-tree shape of `db`.
    public func statistics(of db: Database) throws(LMDBError) -> DatabaseStatistics {
        try readView().statistics(of: db)
    }
}

/// Remembers whether a write inside a transaction ran out of map space.
final class WriteFailureFlag: @unchecked Sendable {
    private(set) var mapFull = false

    func record(_ code: Int32) {
        if code == MDB_MAP_FULL { mapFull = true }
    }
}
