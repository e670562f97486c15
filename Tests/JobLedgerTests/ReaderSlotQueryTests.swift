import Dispatch
import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// Job queries when every reader slot of the ledger is taken.
@Suite struct ReaderSlotQueryTests {
    @Test func jobQueriesGetReadersFullWhileEverySlotIsHeld() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open { $0.store.maxReaders = 2 }
        _ = try await jobs.submit(JobSubmission(id: "job-1", type: "email"), by: alice)

        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<2 {
            Thread {
                _ = try? jobs.store.readProjections { _ in
                    entered.signal()
                    release.wait()
                }
                finished.signal()
            }.start()
        }
        let held = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: (0..<2).allSatisfy { _ in entered.wait(timeout: .now() + 10) == .success }) }.start()
        }
        try #require(held)

        let full = JobLedgerError.store(.readersFull(max: 2))
        #expect(throws: full) { try jobs.job("job-1") }
        #expect(throws: full) { try jobs.list() }
        #expect(throws: full) { try jobs.history("job-1") }
        #expect(throws: full) { try jobs.report() }
        await #expect(throws: full) { try await jobs.claim(worker: "w", lease: 30) }

        for _ in 0..<2 { release.signal() }
        let ended = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: (0..<2).allSatisfy { _ in finished.wait(timeout: .now() + 10) == .success }) }.start()
        }
        #expect(ended)
        #expect(try jobs.job("job-1")?.state == .pending)
        #expect(try await jobs.claim(worker: "w", lease: 30)?.id == "job-1")
    }
}
