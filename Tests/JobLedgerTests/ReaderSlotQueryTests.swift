import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport
import Testing

/// Job queries when every reader slot of the ledger is taken.
@Suite(TestBackend.onLMDBOnly) struct ReaderSlotQueryTests {
    @Test func jobQueriesGetReadersFullWhileEverySlotIsHeld() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open { $0.store.maxReaders = 2 }
        _ = try await jobs.submit(JobSubmission(id: "job-1", type: "email"), by: alice)

        let embedded = try #require(jobs.embeddedStore)
        let snapshots = (0..<2).map { _ in HeldSnapshot(embedded) }
        for snapshot in snapshots { try await snapshot.waitUntilHeld() }

        let full = JobLedgerError.store(.readersFull(max: 2))
        #expect(throws: full) { try jobs.job("job-1") }
        #expect(throws: full) { try jobs.list() }
        #expect(throws: full) { try jobs.history("job-1") }
        #expect(throws: full) { try jobs.report() }
        await #expect(throws: full) { try await jobs.claim(worker: "w", lease: 30) }

        for snapshot in snapshots { try await snapshot.release() }
        #expect(try jobs.job("job-1")?.state == .pending)
        #expect(try await jobs.claim(worker: "w", lease: 30)?.id == "job-1")
    }
}
