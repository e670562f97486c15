import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// Incident 3: the worker that went deaf after a cancelled job.
@Suite struct WorkerTests {
    @Test func workerAcknowledgesACancelledJobAndGoesOnToRunFiveMore() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try await jobs.submit(JobSubmission(id: "hung", type: "report", priority: 10), by: alice)
        for index in 1...5 {
            _ = try await jobs.submit(JobSubmission(id: "next-\(index)", type: "report"), by: alice)
        }
        let started = Mutex(false)
        let worker = Worker(ledger: jobs, id: "w1", lease: 2, renewInterval: 0.05, idleWait: .milliseconds(10)) { context in
            if context.job.id == "hung" {
                started.withLock { $0 = true }
                while true {  // a job that only stops when told to
                    try context.checkCancellation()
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            return #"{"done":"\#(context.job.id)"}"#
        }
        let run = Task { await worker.runUntilIdle() }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        let cancel = try await jobs.cancel("hung", by: acmeAdmin, reason: "hung")
        #expect(cancel.outcome == .cancelRequested)
        let stats = await run.value

        let hung = try #require(try jobs.job("hung"))
        #expect(hung.state == .cancelled)
        #expect(hung.stopRequestedBy == "root")
        #expect(hung.stopReason == "hung")
        for index in 1...5 {
            let job = try #require(try jobs.job("next-\(index)"))
            #expect(job.state == .completed)
            #expect(job.worker == "w1")
            #expect(job.result == #"{"done":"next-\#(index)"}"#)
        }
        #expect(stats.cancelled == 1)
        #expect(stats.completed == 5)
        #expect(stats.failed == 0)
        // Renewals may land anywhere while the job runs, even between the
        // request and the acknowledgement.
        let hungHistory = try jobs.store.readStream(JobStreams.job("hung")).map(\.type).filter { $0 != "LeaseRenewed" }
        #expect(hungHistory == ["JobSubmitted", "JobClaimed", "CancelRequested", "JobCancelled"])
        #expect(!hungHistory.contains("JobFailed") && !hungHistory.contains("JobCompleted"))
    }

    @Test func workerLearnsOfACancelOnItsNextLeaseRenewal() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try await jobs.submit(JobSubmission(id: "slow", type: "t"), by: alice)
        let sawRequest = Mutex(false)
        let worker = Worker(
            ledger: jobs, id: "w", lease: 2, renewInterval: 0.02, idleWait: .milliseconds(10), cancelPollInterval: nil
        ) { context in
            // Never reads the ledger itself, and no watcher: only renewals can tell it.
            while !context.isCancellationRequested { try await Task.sleep(for: .milliseconds(5)) }
            sawRequest.withLock { $0 = true }
            throw JobCancellationError(jobID: context.job.id, state: .cancelRequested)
        }
        let run = Task { await worker.runUntilIdle() }
        while try jobs.job("slow")?.state != .running { try await Task.sleep(for: .milliseconds(5)) }
        _ = try await jobs.cancel("slow", by: alice, reason: "changed my mind")
        _ = await run.value
        #expect(sawRequest.withLock { $0 })
        #expect(try jobs.job("slow")?.state == .cancelled)
    }

    @Test func workerHearsOfACancelLongBeforeItsNextLeaseRenewal() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try await jobs.submit(JobSubmission(id: "slow", type: "t"), by: alice)
        let started = Mutex(false)
        // Renewals every 60 s: the cancel has to come from the watcher.
        let worker = Worker(ledger: jobs, id: "w", lease: 180, renewInterval: 60, idleWait: .milliseconds(10)) { context in
            started.withLock { $0 = true }
            while !context.isCancellationRequested { try await Task.sleep(for: .milliseconds(1)) }
            throw JobCancellationError(jobID: context.job.id, state: .cancelRequested)
        }
        let run = Task { await worker.runUntilIdle() }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
        let clock = ContinuousClock()
        let began = clock.now
        _ = try await jobs.cancel("slow", by: alice, reason: "changed my mind")
        _ = await run.value
        let waited = clock.now - began
        #expect(try jobs.job("slow")?.state == .cancelled)
        // Well under the renewal interval, with room for a loaded machine.
        #expect(waited < .seconds(30), "the cancel took \(waited), the renewal interval is 60 s")
        let types = try jobs.store.readStream(JobStreams.job("slow")).map(\.type)
        #expect(!types.contains("LeaseRenewed"))
    }

    @Test func handlerErrorsFailRetryablyAndPermanentFailuresFailForGood() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open { $0.retryPolicy = RetryPolicy(baseDelay: 0.001, maxDelay: 0.001) }
        _ = try await jobs.submit(JobSubmission(id: "flaky", type: "t", maxAttempts: 3), by: alice)
        _ = try await jobs.submit(JobSubmission(id: "broken", type: "t", maxAttempts: 3), by: alice)
        let attempts = Mutex([String: Int]())
        let worker = Worker(ledger: jobs, id: "w", concurrency: 2, lease: 5, idleWait: .milliseconds(5)) { context in
            let count = attempts.withLock { $0[context.job.id, default: 0] += 1; return $0[context.job.id]! }
            if context.job.id == "broken" { throw PermanentJobFailure("bad input") }
            if count < 3 { throw CocoaError(.fileReadUnknown) }
            return nil
        }
        // Retries become claimable after a millisecond; run until both settle.
        for _ in 0..<50 {
            await worker.runUntilIdle()
            let states = try [jobs.job("flaky")?.state, jobs.job("broken")?.state]
            if states == [.completed, .failed] { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try jobs.job("flaky")?.state == .completed)
        #expect(try jobs.job("flaky")?.attempt == 3)
        #expect(try jobs.job("broken")?.state == .failed)
        #expect(try jobs.job("broken")?.attempt == 1)
        #expect(try jobs.job("broken")?.error == "bad input")
    }

    @Test func concurrentWorkersRunEveryJobExactlyOnce() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<120 { _ = try await jobs.submit(JobSubmission(id: "job-\(index)", type: "t"), by: alice) }
        let runs = Mutex([String: Int]())
        let workers = (0..<4).map { number in
            Worker(ledger: jobs, id: "w\(number)", concurrency: 3, lease: 10, idleWait: .milliseconds(5)) { context in
                runs.withLock { $0[context.job.id, default: 0] += 1 }
                return nil
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { await worker.runUntilIdle() } }
        }
        #expect(runs.withLock { $0.count } == 120)
        #expect(runs.withLock { $0.values.allSatisfy { $0 == 1 } })
        for index in 0..<120 {
            #expect(try jobs.job("job-\(index)")?.state == .completed)
        }
    }
}
