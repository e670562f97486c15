import LMDB

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
            throw .invalidAppend(
                reason: "no projection table named '\(name)' is open: no projection declares it, or the ledger's tables were "
                    + "built by an earlier version that lacks it (opening the ledger writable once rebuilds them)")
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

/// The projection tables of an LMDB read snapshot.
class LMDBTableReads: ProjectionTableReading {
    private let transaction: ReadTransaction
    let tables: ProjectionTables

    init(_ transaction: consuming ReadTransaction, _ tables: ProjectionTables) {
        self.transaction = transaction
        self.tables = tables
    }

    final func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? {
        try transaction.get(key, in: tables.database(table))
    }

    final func scan(_ table: ProjectionTable, from key: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try transaction.withCursor(on: tables.database(table)) { cursor in
            try ProjectionTables.walk(&cursor, from: key, body)
        }
    }

    final func count(_ table: ProjectionTable) throws -> Int {
        try transaction.statistics(of: tables.database(table)).entries
    }
}

/// The projection tables of an LMDB write transaction: its reads are those
/// of a snapshot, through a read view of the same transaction.
final class LMDBTableWrites: LMDBTableReads, ProjectionTableWriting {
    private let transaction: WriteTransaction

    init(_ transaction: consuming WriteTransaction, _ tables: ProjectionTables) {
        let reads = transaction.readView()
        self.transaction = transaction
        super.init(reads, tables)
    }

    func put(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        try transaction.put(key, value, in: tables.database(table))
    }

    func delete(_ table: ProjectionTable, _ key: [UInt8]) throws -> Bool {
        try transaction.delete(key, in: tables.database(table))
    }

    /// Through LMDB's append mode: no search; fails with LMDB's key-exists
    /// error when a key does not sort last.
    func append(
        _ table: ProjectionTable, sortedEntries count: Int,
        _ entry: (Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    ) throws {
        let database = try tables.database(table)
        for index in 0..<count {
            let (key, value) = entry(index)
            try transaction.put(key, value, in: database, flags: .append)
        }
    }
}
