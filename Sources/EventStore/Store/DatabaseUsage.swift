import LMDB

/// Entries and pages of one of the ledger's LMDB databases.
public struct DatabaseUsage: Sendable, Equatable {
    /// The database's name: `events`, `streamIndex`, `eventIDs`, `streams`,
    /// `meta`, or a projection table's name.
    public let name: String
    /// Key/value pairs it holds.
    public let entries: Int
    /// Depth of its B-tree.
    public let depth: Int
    /// Pages it holds: branch, leaf and overflow.
    public let pages: Int
}

extension EventStore {
    /// Entries and pages of every database of the ledger, the log's own
    /// first and the projection tables after them, from one snapshot:
    /// where the file's pages go.
    public func databaseUsage() throws(EventStoreError) -> [DatabaseUsage] {
        let own = [
            ("events", layout.events), ("streamIndex", layout.streamIndex), ("eventIDs", layout.eventIDs),
            ("streams", layout.streams), ("meta", layout.meta),
        ] + (layout.archived.map { [("archived", $0)] } ?? [])
        let tables = projectionTables.databases.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        do {
            return try environment.read { txn in
                try (own + tables).map { name, database in
                    let statistics = try txn.statistics(of: database)
                    return DatabaseUsage(
                        name: name, entries: statistics.entries, depth: statistics.depth, pages: statistics.pages)
                }
            }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }
}
