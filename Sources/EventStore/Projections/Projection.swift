import LMDB

/// A read model kept current inside the same write transaction as the
/// events it follows, so a read after an append always sees the append.
///
/// A projection owns a set of key-value tables, declared in ``tables``,
/// and updates them in ``apply(_:to:)`` for each appended event, in
/// position order. Throwing from `apply` fails the append that carried the
/// event: nothing of it is written.
public protocol Projection: Sendable {
    /// The tables this projection writes; opened when the store opens.
    var tables: [ProjectionTable] { get }
    /// Bump when `apply` changes meaning: a ledger whose tables were built by
    /// another version is rebuilt from the log when opened.
    var version: Int { get }
    /// The projection as `version` built its tables, when this code still
    /// answers from such tables correctly and can build them again to
    /// verify them; `nil` otherwise. A store opened read-only on tables of
    /// another version reads them as they are when this gives a projection
    /// (and verifies them against it), and refuses otherwise; a writable
    /// open rebuilds them to ``version`` either way. The default: only
    /// ``version`` itself.
    func asBuilt(byVersion version: Int) -> (any Projection)?
    /// Applies one appended event to the projection's tables.
    func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws
    /// When set, only events of streams whose names start with this prefix
    /// reach the projection; a rebuild skips the others without decoding
    /// them. `nil` (the default) means every stream.
    var streamPrefix: String? { get }
    /// A new replayer for a rebuild or verification; the default applies
    /// each event with ``apply(_:to:)``.
    func makeReplayer() -> any ProjectionReplayer
    /// The rows that ``apply(_:to:)`` reads for an event of `streamID`, as
    /// far as the projection can tell from the name alone (the default: none).
    /// Only a hint: a backend whose reads are round trips (PostgreSQL)
    /// fetches the rows of a whole batch of appends in one statement
    /// before applying them; a row left out is still read when asked for.
    func rowsRead(forStream streamID: String) -> [ProjectionRow]
}

/// One row of a projection table, named by its table and key.
public struct ProjectionRow: Hashable, Sendable {
    /// The table.
    public let table: ProjectionTable
    /// The key within the table.
    public let key: [UInt8]

    /// Names the row under `key` in `table`.
    public init(_ table: ProjectionTable, _ key: [UInt8]) {
        self.table = table
        self.key = key
    }
}

extension Projection {
    /// No hint: rows are read as ``apply(_:to:)`` asks for them.
    public func rowsRead(forStream streamID: String) -> [ProjectionRow] { [] }

    /// Only the tables of this very version are read as they are.
    public func asBuilt(byVersion version: Int) -> (any Projection)? { version == self.version ? self : nil }
}

/// Write access to projection tables inside an append's transaction.
///
/// A backend hands its tables to projections through this wrapper, made
/// over its own ``ProjectionTableWriting``; the wrapper cannot be copied,
/// so a projection cannot keep it past the call it was lent to.
public struct ProjectionWriter: ~Copyable {
    let tables: any ProjectionTableWriting
    /// Where ``report(_:)`` leaves its value: set inside an append, `nil`
    /// in rebuilds and verifications, which answer nobody.
    let folded: FoldedValue?

    /// Lends `tables` to a projection; `folded` collects what it reports
    /// during an append (`nil` elsewhere).
    package init(tables: any ProjectionTableWriting, folded: FoldedValue? = nil) {
        self.tables = tables
        self.folded = folded
    }

    /// Hands `value`, what the projection folded for the stream of the event
    /// it is applying, back to the appender: it lands in that stream's
    /// ``AppendResult/StreamResult/projected``. The last value reported for
    /// a stream during one append wins. Outside an append it is dropped.
    public func report(_ value: any Sendable) {
        folded?.value = value
    }

    /// The value stored under `key` in `table`.
    public func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? {
        try tables.get(table, key)
    }

    /// Stores `value` under `key` in `table`.
    public func put(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        try tables.put(table, key, value)
    }

    /// Stores `value` under `key` in `table`, whose keys so far all sort
    /// before `key`: the fast path for filling a table in key order.
    public func append(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                try tables.append(table, sortedEntries: 1) { _ in (key, value) }
            }
        }
    }

    /// Appends `count` entries, in ascending key order and each after every
    /// key already in `table` (LMDB's append mode: no search). `entry` gives
    /// the key and value bytes of each; they need to stay valid only until
    /// `entry` is called again.
    public func append(
        _ table: ProjectionTable, sortedEntries count: Int,
        _ entry: (Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    ) throws {
        try tables.append(table, sortedEntries: count, entry)
    }

    /// Removes `key` from `table`; returns whether it was there.
    @discardableResult
    public func delete(_ table: ProjectionTable, _ key: [UInt8]) throws -> Bool {
        try tables.delete(table, key)
    }

    /// Removes `key` from `table` when it is there. Cheaper than
    /// ``delete(_:_:)`` where the answer is not needed: a backend need not
    /// read the row first.
    public func remove(_ table: ProjectionTable, _ key: [UInt8]) throws {
        try tables.remove(table, key)
    }

    /// Applies a counter change to `key` of `table` (``ProjectionMerge``)
    /// without the projection reading the row: a backend may send it with
    /// the append's other writes.
    public func merge(_ table: ProjectionTable, _ key: [UInt8], _ merge: ProjectionMerge) throws {
        try tables.merge(table, key, merge)
    }

    /// Calls `body` with each entry of `table` from `key` on, in key order,
    /// while it returns true.
    public func scan(_ table: ProjectionTable, from key: [UInt8] = [], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try tables.scan(table, from: key, body)
    }
}

/// The value a projection reported for the stream an append is writing.
package final class FoldedValue {
    /// The last value reported.
    package var value: (any Sendable)?

    /// Nothing reported yet.
    package init() {}
}

/// Read access to projection tables in one consistent snapshot, made by a
/// backend over its own ``ProjectionTableReading``.
public struct ProjectionReader: ~Copyable {
    let tables: any ProjectionTableReading

    /// Lends `tables` to a reader of the projections.
    package init(tables: any ProjectionTableReading) {
        self.tables = tables
    }

    /// The value stored under `key` in `table`.
    public func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? {
        try tables.get(table, key)
    }

    /// Calls `body` with each entry of `table` from `key` on, in key order,
    /// while it returns true.
    public func scan(_ table: ProjectionTable, from key: [UInt8] = [], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try tables.scan(table, from: key, body)
    }

    /// Calls `body` with each entry of `table` whose key starts with
    /// `prefix`, in key order, passing the key after the prefix, while it
    /// returns true: one part of an index keyed by a field first.
    public func scan(_ table: ProjectionTable, prefix: [UInt8], _ body: (ArraySlice<UInt8>, [UInt8]) throws -> Bool) throws {
        try scan(table, from: prefix) { key, value in
            guard key.starts(with: prefix) else { return false }
            return try body(key[prefix.count...], value)
        }
    }

    /// Number of entries in `table`.
    public func count(_ table: ProjectionTable) throws -> Int {
        try tables.count(table)
    }
}

extension EventStore {
    /// Runs `body` with read access to the projection tables, in one snapshot
    /// that also matches the log (reads of the log inside `body` are not
    /// needed: projections already include every committed event).
    public func readProjections<R>(_ body: (borrowing ProjectionReader) throws -> R) throws -> R {
        let tables = projectionTables
        if let projectionRefusal { throw projectionRefusal }
        do {
            return try environment.read { txn in
                try body(ProjectionReader(tables: LMDBTableReads(txn.lend(), tables)))
            }
        } catch let error as EventStoreError {
            throw error
        } catch let error as LMDBError {
            throw EventStoreError.wrap(error)
        }
    }
}
