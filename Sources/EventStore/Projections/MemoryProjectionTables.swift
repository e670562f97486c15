/// Projection tables kept in memory, in hash maps listed in key order when
/// scanned: where a backend replays the log to compare with its live
/// tables, and the smallest implementation of ``ProjectionTableWriting``.
/// Keys compare as unsigned bytes, as the contract asks.
package final class MemoryProjectionTables: ProjectionTableWriting {
    /// Every table's entries, by table name.
    package private(set) var tables: [String: [[UInt8]: [UInt8]]] = [:]

    /// Empty tables.
    package init() {}

    package func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? { tables[table.name]?[key] }

    package func scan(_ table: ProjectionTable, from key: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        for (entryKey, value) in entries(table) where !entryKey.lexicographicallyPrecedes(key) {
            if try !body(entryKey, value) { return }
        }
    }

    package func count(_ table: ProjectionTable) throws -> Int { tables[table.name]?.count ?? 0 }

    package func put(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        tables[table.name, default: [:]][key] = value
    }

    package func delete(_ table: ProjectionTable, _ key: [UInt8]) throws -> Bool {
        tables[table.name]?.removeValue(forKey: key) != nil
    }

    /// The entries of `table` in key order.
    package func entries(_ table: ProjectionTable) -> [([UInt8], [UInt8])] {
        (tables[table.name] ?? [:]).sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }
}
