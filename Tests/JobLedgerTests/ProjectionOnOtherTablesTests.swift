import EventStore
import Foundation
import JobLedger
import Testing

/// The job projection is written against the tables contract, not LMDB: fed
/// the same log, other tables end up holding what LMDB's hold, byte for byte.
@Suite struct ProjectionOnOtherTablesTests {
    @Test("the job projection writes the same entries into tables of another backend as into LMDB's")
    func jobProjectionIsTheSameOnAnyTables() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        try await ProjectionTests.runWorkload(jobs)

        let other = MemoryProjectionTables()
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
