import LMDB

extension Environment {
    /// Reads the value under `key`, even when every reader slot is taken.
    ///
    /// A snapshot needs a slot of the reader table; the write transaction
    /// does not. When no slot is free, the value is read in a write
    /// transaction that changes nothing (so its commit writes nothing), after
    /// waiting for the writer lock like any writer. Opening a ledger reads
    /// its format this way, so that a ledger whose slots are all taken can
    /// still be opened and inspected.
    func value(for key: [UInt8], in db: Database) throws -> [UInt8]? {
        do {
            return try read { txn in try txn.get(key, in: db) }
        } catch let error as LMDBError where error.code == .readersFull && !options.readOnly {
            // Kept out of the LMDB module: the optimizer of the current
            // compiler crashes specializing `write` inside that module.
            return try write { txn in try txn.get(key, in: db) }
        }
    }
}
