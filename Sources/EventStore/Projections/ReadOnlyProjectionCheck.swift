import Foundation
import LMDB

extension EventStore {
    /// Verification for a store opened read-only: the log is replayed into
    /// the tables of a private, temporary environment instead of scratch
    /// tables of the ledger, and compared with the live projections read in
    /// the same snapshot as the log. Nothing of the ledger is written and
    /// its writer lock is never taken, so a stopped writer does not hold the
    /// check up. The temporary environment is removed afterwards.
    func verifyProjectionsWithoutWriting(limit: Int) throws(EventStoreError) -> [ProjectionDifference] {
        if let projectionRefusal { throw projectionRefusal }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobledger-verify-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            var scratchOptions = EnvironmentOptions()
            scratchOptions.maxDatabases = 64
            scratchOptions.durable = false
            let scratchEnvironment = try Environment(path: directory, options: scratchOptions)
            defer { scratchEnvironment.close() }
            var databases: [String: Database] = [:]
            for table in options.projections.flatMap(\.tables).map(\.name) {
                databases[table] = try scratchEnvironment.openDatabase(table)
            }
            let scratch = ProjectionTables(databases: databases)
            let live = projectionTables
            let layout = self.layout
            let current = options.projections
            return try environment.read { logTransaction in
                // Replayed as they built the tables of this snapshot, which
                // may be an older version this code still reads.
                let stored = try logTransaction.get(StoreLayout.projectionVersionKey, in: layout.meta)
                    .map { String(decoding: $0, as: UTF8.self) }
                guard let projections = Self.projections(asBuiltBy: stored, from: current) else {
                    throw EventStoreError.readOnly(
                        path: path, reason: "its projections were rebuilt by other code (\(stored ?? "never built")) while it was open")
                }
                let liveEntries = try live.databases.mapValues { database in
                    try logTransaction.withCursor(on: database) { try Self.entries(under: &$0) }
                }
                var replayed: [String: [[UInt8]: [UInt8]]] = [:]
                try Self.replayIntoScratch(from: logTransaction, layout: layout, projections: projections, into: scratch, in: scratchEnvironment)
                try scratchEnvironment.read { scratchTransaction in
                    for (table, database) in scratch.databases {
                        replayed[table] = try scratchTransaction.withCursor(on: database) { try Self.entries(under: &$0) }
                    }
                }
                var differences: [ProjectionDifference] = []
                for (table, live) in liveEntries.sorted(by: { $0.key < $1.key }) {
                    Self.appendDifferences(table, live: live, replayed: replayed[table] ?? [:], limit: limit, to: &differences)
                }
                return differences
            }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// Replays the log as `logTransaction` sees it into `tables` of the
    /// scratch environment, in one write transaction of that environment.
    private static func replayIntoScratch(
        from logTransaction: borrowing ReadTransaction, layout: StoreLayout, projections: [any Projection],
        into tables: ProjectionTables, in scratchEnvironment: Environment
    ) throws {
        let log = logTransaction.lend()
        try scratchEnvironment.write { scratchTransaction in
            let writer = ProjectionWriter(tables: LMDBTableWrites(scratchTransaction.lend(), tables))
            _ = try log.withCursor(on: layout.events) { cursor in
                try replayLog(from: &cursor, projections: projections, into: writer, progress: nil)
            }
        }
    }
}
