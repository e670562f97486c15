import EventStore
import Foundation
import JobLedger
import Testing

/// A claim for some types reads only their part of the queue: however many
/// jobs of other types wait ahead, it finds its own, in queue order.
@Suite struct QueueByTypeTests {
    @Test func aClaimForOneTypeFindsItsJobBehindMoreThanTenThousandPendingJobsOfAnother() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        // Submitted concurrently, so that group commit keeps this quick.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in stride(from: worker, to: 10_200, by: 16) {
                        _ = try await jobs.submit(JobSubmission(id: "bulk-\(index)", type: "bulk"), by: alice)
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await jobs.submit(JobSubmission(id: "urgent-mail", type: "mail"), by: alice)
        let claimed = try #require(try await jobs.claim(worker: "w1", types: ["mail"], lease: 30))
        #expect(claimed.id == "urgent-mail")
        #expect(try await jobs.claim(worker: "w1", types: ["mail"], lease: 30) == nil)
        #expect(try await jobs.claim(worker: "w2", lease: 30)?.type == "bulk")
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aClaimForSeveralTypesTakesThemInPriorityThenSubmissionOrderAcrossTypes() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let submissions: [(String, String, Int)] = [
            ("a-low", "a", 0), ("b-mid", "b", 5), ("c-top", "c", 9), ("a-top", "a", 9), ("b-low", "b", 0), ("a-mid", "a", 5),
        ]
        for (id, type, priority) in submissions {
            _ = try jobs.submit(JobSubmission(id: id, type: type, priority: priority), by: alice)
        }
        var order: [String] = []
        while let job = try jobs.claim(worker: "w1", types: ["a", "b"], lease: 30) { order.append(job.id) }
        #expect(order == ["a-top", "b-mid", "a-mid", "a-low", "b-low"])
        #expect(try jobs.job("c-top")?.state == .pending)
    }

    @Test func theQueueByTypeFollowsRetriesCancelsAndARebuildRecreatesItExactly() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        for index in 0..<6 { _ = try jobs.submit(JobSubmission(id: "j\(index)", type: index % 2 == 0 ? "even" : "odd"), by: alice) }
        let first = try #require(try jobs.claim(worker: "w1", types: ["even"], lease: 30))
        _ = try jobs.fail(first.id, worker: "w1", attempt: first.attempt, error: "flaky", retryable: true)
        _ = try jobs.cancel("j1", by: alice, reason: "not needed")
        // The failed job waits out its retry delay: not claimable until then.
        var claimable: [String] = []
        while let job = try jobs.claim(worker: "w1", types: ["even", "odd"], lease: 30) { claimable.append(job.id) }
        #expect(Set(claimable) == ["j2", "j4", "j3", "j5"])
        clock.advance(3600)
        #expect(try jobs.claim(worker: "w1", types: ["even"], lease: 30)?.id == first.id)
        #expect(try jobs.verifyProjections().isEmpty)
        _ = try jobs.rebuildProjections()
        #expect(try jobs.verifyProjections().isEmpty)
        #expect(try jobs.claim(worker: "w1", types: ["even", "odd"], lease: 30) == nil)
    }
}
