import CLMDB

/// A read-only snapshot of the environment.
///
/// Only available inside ``Environment/read(_:)``; the type is non-copyable
/// and lent to the closure, so it cannot outlive it.
public struct ReadTransaction: ~Copyable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    /// Another view of the same snapshot, for layers of this package that
    /// hand a narrower interface to their own callers.
    package func lend() -> ReadTransaction {
        ReadTransaction(handle: handle)
    }

    /// Looks up `key`; the returned bytes live until the transaction ends.
    public func get(_ key: UnsafeRawBufferPointer, in db: Database) throws(LMDBError) -> UnsafeRawBufferPointer? {
        try RawOperations.get(handle, key, db)
    }

    /// Looks up `key` and copies the value out.
    public func get(_ key: [UInt8], in db: Database) throws(LMDBError) -> [UInt8]? {
        try withBytes(of: key) { (k) throws(LMDBError) -> [UInt8]? in
            try RawOperations.get(handle, k, db).map { Array($0) }
        }
    }

    /// Runs `body` with a cursor over `db`, closed when `body` returns.
    public func withCursor<R>(on db: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        try RawOperations.withCursor(handle, db, body)
    }

    /// Entry count and B-tree shape of `db`.
    public func statistics(of db: Database) throws(LMDBError) -> DatabaseStatistics {
        try RawOperations.statistics(handle, db)
    }
}
