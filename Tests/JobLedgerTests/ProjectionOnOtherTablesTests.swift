import EventStore
import Foundation
import JobLedger
import Testing

/// Projection tables kept in sorted maps in memory: the smallest backend of
/// ``ProjectionTableWriting``, comparing keys as unsigned bytes as the
/// contract asks.
final class SortedMapTables: ProjectionTableWriting {
    private(set) var tables: [String: [[UInt8]: [UInt8]]] = [:]

    func get(_ table: ProjectionTable, _ key: [UInt8]) throws -> [UInt8]? { tables[table.name]?[key] }

    func scan(_ table: ProjectionTable, from key: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        for (entryKey, value) in entries(table) where !entryKey.lexicographicallyPrecedes(key) {
            if try !body(entryKey, value) { return }
        }
    }

    func count(_ table: ProjectionTable) throws -> Int { tables[table.name]?.count ?? 0 }

    func put(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) throws {
        tables[table.name, default: [:]][key] = value
    }

    func delete(_ table: ProjectionTable, _ key: [UInt8]) throws -> Bool {
        tables[table.name]?.removeValue(forKey: key) != nil
    }

    /// The entries of `table` in key order.
    func entries(_ table: ProjectionTable) -> [([UInt8], [UInt8])] {
        (tables[table.name] ?? [:]).sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }
}

/// The job projection is written against the tables contract, not LMDB: fed
/// the same log, other tables end up holding what LMDB's hold, byte for byte.
@Suite struct ProjectionOnOtherTablesTests {
    @Test("the job projection writes the same entries into tables of another backend as into LMDB's")
    func jobProjectionIsTheSameOnAnyTables() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        try await ProjectionTests.runWorkload(jobs)

        let other = SortedMapTables()
        let projection = JobProjection()
        var applied = 0
        try jobs.store.forEachEvent(from: 1) { event in
            guard event.streamID.hasPrefix(projection.streamPrefix ?? "") else { return true }
            try projection.apply(event, to: ProjectionWriter(tables: other))
            applied += 1
            return true
        }
        #expect(applied > 100)
        let live = try ProjectionTests.dump(jobs)
        for table in projection.tables {
            let replayed = other.entries(table).map { $0.0 + [0xFF] + $0.1 }
            #expect(replayed == live[table.name], "table \(table.name)")
        }
        let jobsTable = try #require(projection.tables.first { $0.name == "jobs" })
        #expect(other.entries(jobsTable).count == 60)
    }
}
