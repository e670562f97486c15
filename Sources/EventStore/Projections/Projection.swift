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
    /// Applies one appended event to the projection's tables.
    func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws
    /// When set, only events of streams whose names start with this prefix
    /// reach the projection; a rebuild skips the others without decoding
    /// them. `nil` (the default) means every stream.
    var streamPrefix: String? { get }
    /// A new replayer for a rebuild or verification; the default applies
    /// each event with ``apply(_:to:)``.
    func makeReplayer() -> any ProjectionReplayer
}

/// Write access to projection tables inside an append's transaction.
public struct ProjectionWriter: ~Copyable {
    let transaction: WriteTransaction
    let tables: ProjectionTables
    /// Where ``report(_:)`` leaves its value: set inside an append, `nil`
    /// in rebuilds and verifications, which answer nobody.
    var folded: FoldedValue? = nil

    /// Hands `value`, what the projection folded for the stream of the event
    /// it is applying, back to the appender: it lands in that stream's
    /// ``AppendResult/StreamResult/projected``. The last value reported for
    /// a stream during one append wins. Outside an append it is dropped.
    public func report(_ value: any Sendable) {
        folded?.value = value
    }

    /// The value stored under `key` in `table`.
    public func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? {
        try transaction.get(key, in: tables.database(table))
    }

    /// Stores `value` under `key` in `table`.
    public func put(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        try transaction.put(key, value, in: tables.database(table))
    }

    /// Stores `value` under `key` in `table`, whose keys so far all sort
    /// before `key`: the fast path for filling a table in key order. Fails
    /// with LMDB's key-exists error when `key` does not sort last.
    public func append(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        try transaction.put(key, value, in: tables.database(table), flags: .append)
    }

    /// Appends `count` entries, in ascending key order and each after every
    /// key already in `table`, through LMDB's append mode (no search).
    /// `entry` gives the key and value bytes of each; they need to stay
    /// valid only until `entry` is called again.
    public func append(
        _ table: ProjectionTable, sortedEntries count: Int,
        _ entry: (Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    ) throws {
        let database = try tables.database(table)
        for index in 0..<count {
            let (key, value) = entry(index)
            try transaction.put(key, value, in: database, flags: .append)
        }
    }

    /// Removes `key` from `table`; returns whether it was there.
    @discardableResult
    public func delete(_ table: ProjectionTable, _ key: [UInt8]) throws -> Bool {
        try transaction.delete(key, in: tables.database(table))
    }

    /// Calls `body` with each entry of `table` from `key` on, in key order,
    /// while it returns true.
    public func scan(_ table: ProjectionTable, from key: [UInt8] = [], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try transaction.withCursor(on: tables.database(table)) { cursor in
            try ProjectionTables.walk(&cursor, from: key, body)
        }
    }
}

/// The value a projection reported for the stream an append is writing.
final class FoldedValue {
    var value: (any Sendable)?
}

/// Read access to projection tables in one consistent snapshot.
public struct ProjectionReader: ~Copyable {
    let transaction: ReadTransaction
    let tables: ProjectionTables

    /// The value stored under `key` in `table`.
    public func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? {
        try transaction.get(key, in: tables.database(table))
    }

    /// Calls `body` with each entry of `table` from `key` on, in key order,
    /// while it returns true.
    public func scan(_ table: ProjectionTable, from key: [UInt8] = [], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try transaction.withCursor(on: tables.database(table)) { cursor in
            try ProjectionTables.walk(&cursor, from: key, body)
        }
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
        try transaction.statistics(of: tables.database(table)).entries
    }
}

/// The LMDB databases behind the projection tables, by table name.
struct ProjectionTables: Sendable {
    static let prefix = "table."
    static let scratchPrefix = "scratch."
    let databases: [String: Database]

    func database(_ table: ProjectionTable) throws(EventStoreError) -> Database {
        try database(table.name)
    }

    func database(_ name: String) throws(EventStoreError) -> Database {
        guard let database = databases[name] else {
            throw .invalidAppend(reason: "no projection declares a table named '\(name)'")
        }
        return database
    }

    static func walk(_ cursor: inout Cursor, from key: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        var entry = try key.isEmpty ? cursor.first() : key.withUnsafeBytes { try cursor.seek(atLeast: $0) }
        while let current = entry {
            if try !body(Array(current.key), Array(current.value)) { return }
            entry = try cursor.next()
        }
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
                try body(ProjectionReader(transaction: txn.lend(), tables: tables))
            }
        } catch let error as EventStoreError {
            throw error
        } catch let error as LMDBError {
            throw EventStoreError.wrap(error)
        }
    }
}
