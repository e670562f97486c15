import EventStore
import Foundation
@testable import JobLedger
import Testing

/// A job's longest run time: an attempt past it ends as a timeout, by the
/// system, however its worker renews its lease, and the worker hears of it
/// at its next renewal.
@Suite struct TimeoutTests {
    @Test func aJobThatRenewsItsLeasePastItsTimeoutIsFailedAsATimeout() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "slow", type: "t", maxAttempts: 1, timeout: 10), by: alice)
        let claimed = try #require(try jobs.claim(worker: "w1", lease: 30))
        #expect(claimed.deadline == clock.current + 10)
        clock.advance(5)
        let early = try jobs.renewLease("slow", worker: "w1", attempt: 1, lease: 30)
        #expect(!early.timedOut && early.job.state == .running)
        clock.advance(5)
        let late = try jobs.renewLease("slow", worker: "w1", attempt: 1, lease: 30)
        #expect(late.timedOut)
        #expect(late.job.state == .failed)
        #expect(late.job.error == "attempt 1 timed out after 10 s")
        #expect(late.job.deadline == nil && late.job.leaseUntil == nil)
        // The event is the system's, audited as its own command.
        let history = try jobs.history("slow")
        let timedOut = try #require(history.first { $0.type == "JobTimedOut" })
        #expect(timedOut.actor == "system")
        #expect(history.contains { $0.type == "AuditRecorded" && $0.actor == "system" && $0.data.contains(#""outcome":"timed_out""#) })
        // The worker's attempt is over: asking again says so, settling is refused.
        #expect(try jobs.renewLease("slow", worker: "w1", attempt: 1, lease: 30).timedOut)
        #expect(throws: JobLedgerError.self) { try jobs.complete("slow", worker: "w1", attempt: 1) }
        #expect(try jobs.job("slow")?.state == .failed)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aTimedOutAttemptWithAttemptsLeftIsRetriedAfterTheBackoffWithAFreshDeadline() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try await jobs.submit(JobSubmission(id: "slow", type: "t", maxAttempts: 2, timeout: 1.5), by: alice)
        _ = try #require(try await jobs.claim(worker: "w1", lease: 30))
        clock.advance(2)
        let renewal = try await jobs.renewLease("slow", worker: "w1", attempt: 1, lease: 30)
        #expect(renewal.timedOut)
        #expect(renewal.job.state == .pending)
        #expect(renewal.job.error == "attempt 1 timed out after 1.5 s")
        #expect(renewal.job.availableAt == clock.current + 1)
        #expect(try await jobs.claim(worker: "w2", lease: 30) == nil)
        clock.advance(1)
        let second = try #require(try await jobs.claim(worker: "w2", lease: 30))
        #expect(second.attempt == 2)
        #expect(second.deadline == clock.current + 1.5)
        #expect(try await jobs.complete("slow", worker: "w2", attempt: 2).state == .completed)
    }

    @Test func theSweepTimesOutARunningJobWhoseLeaseIsStillValidAndTheWorkerLearnsAtItsNextRenewal() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try await jobs.submit(JobSubmission(id: "slow", type: "t", maxAttempts: 1, timeout: 60), by: alice)
        _ = try await jobs.submit(JobSubmission(id: "quick", type: "t", maxAttempts: 1), by: alice)
        _ = try #require(try await jobs.claim(worker: "w1", lease: 600))
        _ = try #require(try await jobs.claim(worker: "w2", lease: 600))
        clock.advance(59)
        #expect(try await jobs.expireLeases().isEmpty)
        clock.advance(1)
        #expect(try await jobs.expireLeases() == ["slow"])
        #expect(try jobs.job("slow")?.state == .failed)
        #expect(try jobs.job("quick")?.state == .running)
        let renewal = try await jobs.renewLease("slow", worker: "w1", attempt: 1, lease: 600)
        #expect(renewal.timedOut && renewal.job.state == .failed)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aCancelRequestedJobThatRunsOutOfTimeEndsCancelled() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "slow", type: "t", timeout: 5), by: alice)
        _ = try #require(try jobs.claim(worker: "w1", lease: 30))
        _ = try jobs.cancel("slow", by: alice, reason: "stop")
        clock.advance(5)
        #expect(try jobs.expireLeases() == ["slow"])
        let job = try #require(try jobs.job("slow"))
        #expect(job.state == .cancelled)
        #expect(job.stopRequestedBy == "alice")
    }

    @Test func aTimeoutOutOfBoundsIsRefusedAndNothingIsStored() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for timeout in [0, -1, 0.0001, .infinity, JobLimits.maxTimeoutSeconds + 1] {
            #expect {
                _ = try jobs.submit(JobSubmission(id: "t", type: "t", timeout: timeout), by: alice)
            } throws: { error in
                (error as? JobLedgerError)?.code == .invalidInput && "\(error)".contains("timeout")
            }
        }
        #expect(try jobs.job("t") == nil)
    }

    @Test func aWorkerWhoseHandlerOverrunsTheTimeoutIsToldToStopAtARenewal() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try await jobs.submit(JobSubmission(id: "slow", type: "t", maxAttempts: 1, timeout: 0.3), by: alice)
        let sawStop = IncidentFlag()
        let worker = Worker(
            ledger: jobs, id: "w1", lease: 5, renewInterval: 0.05, cancelPollInterval: nil
        ) { context in
            let start = ContinuousClock.now
            while !context.isCancellationRequested, ContinuousClock.now - start < .seconds(20) {
                try await Task.sleep(for: .milliseconds(10))
            }
            if context.isCancellationRequested { sawStop.raise() }
            throw JobCancellationError(jobID: context.job.id, state: .failed)
        }
        let statistics = await worker.runUntilIdle()
        #expect(sawStop.isRaised)
        #expect(statistics.timedOut == 1)
        let job = try #require(try jobs.job("slow"))
        #expect(job.state == .failed)
        #expect(job.error == "attempt 1 timed out after 0.3 s")
    }
}
