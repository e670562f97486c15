import EventStore
import NIOCore
import PostgresNIO

/// The projection tables as a reader sees them: rows of
/// `jobledger_projections`, read through one session inside the caller's
/// transaction (a repeatable-read one gives the contract's snapshot).
class PostgresTableReads: ProjectionTableReading {
    let session: PostgresSession
    /// Rows the first statement of a scan fetches: most scans stop early
    /// (a claim wants its first few candidates, a page its first 50 jobs).
    /// Each further statement fetches four times as many, up to
    /// ``largestScanChunk``, so a long scan still takes few round trips.
    private let firstScanChunk = 32
    private let largestScanChunk = 2_048

    init(session: PostgresSession) { self.session = session }

    func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? {
        let rows = try session.query("""
            SELECT value FROM jobledger_projections WHERE table_name = \(table.name) AND key = \(ByteBuffer(bytes: key))
            """)
        return try rows.first.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
    }

    func scan(_ table: ProjectionTable, from key: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try scanStored(table, from: key, skipping: []) { try body($0, $1) }
    }

    func count(_ table: ProjectionTable) throws -> Int {
        let rows = try session.query("SELECT count(*) FROM jobledger_projections WHERE table_name = \(table.name)")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// The stored rows of `table` from `key` on, in key order, leaving out
    /// the keys in `skipped`, fetched a chunk at a time.
    func scanStored(
        _ table: ProjectionTable, from key: [UInt8], skipping skipped: [[UInt8]],
        _ body: ([UInt8], [UInt8]) throws -> Bool
    ) throws {
        let skippedKeys = skipped.map { ByteBuffer(bytes: $0) }
        var lower = ByteBuffer(bytes: key)
        var inclusive = true
        var chunk = firstScanChunk
        while true {
            let rows = try session.query(inclusive ? """
                SELECT key, value FROM jobledger_projections
                WHERE table_name = \(table.name) AND key >= \(lower) AND NOT (key = ANY(\(skippedKeys)))
                ORDER BY key LIMIT \(chunk)
                """ : """
                SELECT key, value FROM jobledger_projections
                WHERE table_name = \(table.name) AND key > \(lower) AND NOT (key = ANY(\(skippedKeys)))
                ORDER BY key LIMIT \(chunk)
                """)
            var count = 0
            for row in rows {
                let (rowKey, value) = try row.decode((ByteBuffer, ByteBuffer).self)
                count += 1
                lower = rowKey
                if try !body(Array(rowKey.readableBytesView), Array(value.readableBytesView)) { return }
            }
            if count < chunk { return }
            inclusive = false
            chunk = min(chunk * 4, largestScanChunk)
        }
    }
}

/// The projection tables inside an append's transaction: reads go to the
/// server once per key and are remembered (in a cache the writer may keep
/// across transactions, ``PostgresProjectionCache``), writes are gathered
/// and sent in the statement that ends the append (``takeWrites()``).
final class PostgresTableWrites: PostgresTableReads, ProjectionTableWriting {
    /// Each key known: its value, or `nil` when it is absent.
    private let cache: PostgresProjectionCache
    /// Per table, the keys written in this transaction.
    private var changed: [String: Set<[UInt8]>] = [:]
    /// Counter changes on rows not read, sent with the ending statement.
    private var pending = PostgresPendingMerges()

    init(session: PostgresSession, cache: PostgresProjectionCache) {
        self.cache = cache
        super.init(session: session)
    }

    private var known: [String: [[UInt8]: [UInt8]?]] { cache.rows }

    override func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? {
        if let value = cache.rows[table.name]?[key] { return value }
        if pending.has(table, key) {
            try resolve(table, [key])
            return cache.rows[table.name]?[key] ?? nil
        }
        let value = try super.get(table, key)
        cache.remember(table.name, key, value)
        return value
    }

    func put(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        _ = pending.take(table, key)
        cache.remember(table.name, key, value)
        changed[table.name, default: []].insert(key)
    }

    /// Applies `merge` to what is remembered of the row, or leaves it for
    /// the ending statement when the row is not remembered.
    func merge(_ table: ProjectionTable, _ key: [UInt8], _ merge: ProjectionMerge) throws {
        if let stored = cache.rows[table.name]?[key] {
            try apply(merge.outcome(on: stored), to: table, key)
        } else if !pending.add(table, key, merge) {
            try resolve(table, [key])
            try apply(merge.outcome(on: cache.rows[table.name]?[key] ?? nil), to: table, key)
        }
    }

    private func apply(_ outcome: ProjectionMerge.Outcome, to table: ProjectionTable, _ key: [UInt8]) throws {
        switch outcome {
        case .unchanged: break
        case .store(let value): try put(table, key, value)
        case .remove: try remove(table, key)
        }
    }

    /// Reads the rows of `keys` that have merges waiting, in one statement,
    /// and applies the merges to them here.
    private func resolve(_ table: ProjectionTable, _ keys: [[UInt8]]) throws {
        let waiting = keys.filter { pending.has(table, $0) }
        guard !waiting.isEmpty else { return }
        let wantedKeys = waiting.map { ByteBuffer(bytes: $0) }
        let rows = try session.query("""
            SELECT key, value FROM jobledger_projections WHERE table_name = \(table.name) AND key = ANY(\(wantedKeys))
            """)
        var stored: [[UInt8]: [UInt8]] = [:]
        for row in rows {
            let (key, value) = try row.decode((ByteBuffer, ByteBuffer).self)
            stored[Array(key.readableBytesView)] = Array(value.readableBytesView)
        }
        for key in waiting {
            guard let change = pending.take(table, key) else { continue }
            cache.remember(table.name, key, stored[key])
            try apply(change.outcome(on: stored[key]), to: table, key)
        }
    }

    func delete(_ table: ProjectionTable, _ key: [UInt8]) throws -> Bool {
        let existed = try get(table, key) != nil
        try remove(table, key)
        return existed
    }

    /// Removes `key` without reading it first: the statement that ends the
    /// append deletes whatever is there.
    func remove(_ table: ProjectionTable, _ key: [UInt8]) throws {
        _ = pending.take(table, key)
        cache.remember(table.name, key, nil)
        changed[table.name, default: []].insert(key)
    }

    /// Whether the row is remembered (with its value or its absence), or
    /// has a counter change waiting: either way a prefetch must not read it
    /// (what it read would hide the change; ``get(_:_:)`` applies it).
    func knows(_ row: ProjectionRow) -> Bool {
        cache.rows[row.table.name]?[row.key] != nil || pending.has(row.table, row.key)
    }

    /// Remembers what a prefetch found: `value`, or `nil` for a row the
    /// server does not hold.
    func remember(_ table: String, _ key: [UInt8], _ value: [UInt8]?) {
        cache.remember(table, key, value)
    }

    override func count(_ table: ProjectionTable) throws -> Int {
        var total = 0
        try scan(table, from: []) { _, _ in
            total += 1
            return true
        }
        return total
    }

    override func scan(_ table: ProjectionTable, from key: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try resolve(table, pending.keys(of: table))
        let written = changed[table.name] ?? []
        let pending = written.compactMap { changedKey -> ([UInt8], [UInt8])? in
            guard !changedKey.lexicographicallyPrecedes(key), let value = known[table.name]?[changedKey] ?? nil else {
                return nil
            }
            return (changedKey, value)
        }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
        var next = 0
        var stopped = false
        try scanStored(table, from: key, skipping: Array(written)) { storedKey, value in
            while next < pending.count && pending[next].0.lexicographicallyPrecedes(storedKey) {
                if try !body(pending[next].0, pending[next].1) {
                    stopped = true
                    return false
                }
                next += 1
            }
            if try !body(storedKey, value) {
                stopped = true
                return false
            }
            return true
        }
        while !stopped && next < pending.count {
            if try !body(pending[next].0, pending[next].1) { return }
            next += 1
        }
    }

    /// Every write of the transaction as arrays for one statement (rows
    /// to store, rows to delete, each in table and key order), and forgets
    /// them as pending.
    func takeWrites() -> ProjectionWrites {
        var writes = ProjectionWrites()
        for (table, keys) in changed.sorted(by: { $0.key < $1.key }) {
            for key in keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                if let value = known[table]?[key] ?? nil {
                    writes.putTables.append(table)
                    writes.putKeys.append(ByteBuffer(bytes: key))
                    writes.putValues.append(ByteBuffer(bytes: value))
                } else {
                    writes.deletedTables.append(table)
                    writes.deletedKeys.append(ByteBuffer(bytes: key))
                }
            }
        }
        changed.removeAll()
        writes.merges = pending.takeColumns()
        return writes
    }
}

/// The projection rows a transaction stores and deletes, as columns.
struct ProjectionWrites {
    var putTables: [String] = []
    var putKeys: [ByteBuffer] = []
    var putValues: [ByteBuffer] = []
    var deletedTables: [String] = []
    var deletedKeys: [ByteBuffer] = []
    /// Counter changes on rows the transaction did not read.
    var merges = PostgresMergeColumns()
}
