/// What a backend gives projections to read: its projection tables, each an
/// ordered map from key bytes to value bytes, in one snapshot.
///
/// Keys compare as unsigned bytes, shortest first on a common prefix (as
/// LMDB and PostgreSQL's `bytea` compare them): indexes built by one backend
/// list in the same order on another.
public protocol ProjectionTableReading: AnyObject {
    /// The value stored under `key` in `table`.
    func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]?
    /// Calls `body` with each entry of `table` from `key` on, in key order,
    /// while it returns true.
    func scan(_ table: ProjectionTable, from key: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws
    /// Number of entries in `table`.
    func count(_ table: ProjectionTable) throws -> Int
}

/// What a backend gives projections to write, inside the transaction of the
/// append (or rebuild) that carries the events.
public protocol ProjectionTableWriting: ProjectionTableReading {
    /// Stores `value` under `key` in `table`.
    func put(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws
    /// Removes `key` from `table`; returns whether it was there.
    func delete(_ table: ProjectionTable, _ key: [UInt8]) throws -> Bool
    /// Removes `key` from `table` when it is there, without telling: a
    /// backend whose reads are round trips can then skip the read.
    func remove(_ table: ProjectionTable, _ key: [UInt8]) throws
    /// Applies a counter change to `key` (``ProjectionMerge``): a backend
    /// whose reads are round trips may send it without reading the row.
    func merge(_ table: ProjectionTable, _ key: [UInt8], _ merge: ProjectionMerge) throws
    /// Stores `count` entries whose keys ascend and all sort after the
    /// table's: a backend may write them without searching. The bytes `entry`
    /// gives stay valid only until it is called again.
    func append(
        _ table: ProjectionTable, sortedEntries count: Int,
        _ entry: (Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    ) throws
}

extension ProjectionTableWriting {
    /// Removes `key` with ``delete(_:_:)`` and drops its answer.
    public func remove(_ table: ProjectionTable, _ key: [UInt8]) throws {
        _ = try delete(table, key)
    }

    /// Stores each entry with ``put(_:_:_:)``: for backends without a
    /// faster way to fill a table in key order.
    public func append(
        _ table: ProjectionTable, sortedEntries count: Int,
        _ entry: (Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    ) throws {
        for index in 0..<count {
            let (key, value) = entry(index)
            try put(table, Array(key), Array(value))
        }
    }
}
