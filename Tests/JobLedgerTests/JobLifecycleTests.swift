import EventStore
import Foundation
import JobLedger
import Testing

@Suite struct JobLifecycleTests {
    @Test func submittedJobIsClaimedAndCompletedWithItsHistoryInTheLog() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let submitted = try jobs.submit(JobSubmission(id: "j1", type: "email", payload: #"{"to":"x"}"#), by: alice)
        #expect(submitted.created)
        #expect(submitted.job.state == .pending)
        let claimed = try #require(try jobs.claim(worker: "w1", lease: 30))
        #expect(claimed.id == "j1")
        #expect(claimed.state == .running)
        #expect(claimed.attempt == 1)
        let done = try jobs.complete("j1", worker: "w1", attempt: 1, result: #"{"ok":true}"#)
        #expect(done.state == .completed)
        #expect(try jobs.job("j1") == done)
        let types = try jobs.store.readStream(JobStreams.job("j1")).map(\.type)
        #expect(types == ["JobSubmitted", "JobClaimed", "JobCompleted"])
        let audits = try jobs.store.readStream(JobStreams.audit("j1")).count
        #expect(audits == 3)
        #expect(try jobs.claim(worker: "w1", lease: 30) == nil)
    }

    @Test func submittingAnExistingIDReturnsTheExistingJob() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let first = try jobs.submit(JobSubmission(id: "same", type: "t"), by: alice)
        let second = try jobs.submit(JobSubmission(id: "same", type: "t"), by: alice)
        #expect(first.created && !second.created)
        #expect(second.job == first.job)
        #expect(throws: JobLedgerError.self) { try jobs.submit(JobSubmission(id: "same", type: "other"), by: alice) }
        #expect(try jobs.store.streamVersion(JobStreams.job("same")) == 1)
    }

    @Test func retryableFailureReturnsToPendingWithBackoffThenFailsWhenAttemptsRunOut() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "r", type: "t", maxAttempts: 2), by: alice)
        let first = try #require(try jobs.claim(worker: "w", lease: 10))
        let retrying = try jobs.fail("r", worker: "w", attempt: first.attempt, error: "boom", retryable: true)
        #expect(retrying.state == .pending)
        #expect(retrying.availableAt > clock.current)
        #expect(try jobs.claim(worker: "w", lease: 10) == nil)  // backoff not over
        clock.advance(1.5)
        let second = try #require(try jobs.claim(worker: "w", lease: 10))
        #expect(second.attempt == 2)
        let failed = try jobs.fail("r", worker: "w", attempt: 2, error: "boom again", retryable: true)
        #expect(failed.state == .failed)
        #expect(failed.error == "boom again")
    }

    @Test func higherPriorityIsClaimedFirstThenSubmissionOrder() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "low-1", type: "t", priority: 0), by: alice)
        _ = try jobs.submit(JobSubmission(id: "high", type: "t", priority: 5), by: alice)
        _ = try jobs.submit(JobSubmission(id: "low-2", type: "t", priority: 0), by: alice)
        _ = try jobs.submit(JobSubmission(id: "other-type", type: "u", priority: 9), by: alice)
        var order: [String] = []
        while let job = try jobs.claim(worker: "w", types: ["t"], lease: 10) { order.append(job.id) }
        #expect(order == ["high", "low-1", "low-2"])
    }

    @Test func staleWorkerIsFencedOutAfterItsLeaseExpiredAndTheJobWasReclaimed() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock) { $0.retryPolicy = RetryPolicy(baseDelay: 0) }
        _ = try jobs.submit(JobSubmission(id: "f", type: "t"), by: alice)
        let first = try #require(try jobs.claim(worker: "same-worker", lease: 5))
        clock.advance(10)
        #expect(try jobs.expireLeases() == ["f"])
        let second = try #require(try jobs.claim(worker: "same-worker", lease: 5))
        #expect(second.attempt == first.attempt + 1)
        #expect(throws: JobLedgerError.notLeaseHolder(
            jobID: "f", worker: "same-worker", attempt: first.attempt, holder: "same-worker", currentAttempt: second.attempt)
        ) { try jobs.complete("f", worker: "same-worker", attempt: first.attempt) }
        #expect(try jobs.job("f")?.state == .running)
        #expect(try jobs.complete("f", worker: "same-worker", attempt: second.attempt).state == .completed)
    }
}

@Suite struct AuthorizationTests {
    @Test func adminOfAnotherOrganisationSharingTheOwnersIDIsForbidden() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "mine", type: "t"), by: alice)
        let impostor = Actor(id: "alice", role: .admin, organisation: "globex")
        #expect(try jobs.cancel("mine", by: impostor, reason: "x").outcome == .forbidden)
        #expect(try jobs.retry("mine", by: impostor).outcome == .forbidden)
        #expect(try jobs.job("mine")?.state == .pending)
        #expect(try jobs.cancel("mine", by: acmeAdmin, reason: "x").outcome == .cancelled)
    }

    @Test func retryableFailureAfterACancelRequestEndsCancelledNotFailed() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "c", type: "t"), by: alice)
        let job = try #require(try jobs.claim(worker: "w", lease: 30))
        #expect(try jobs.cancel("c", by: alice, reason: "stop").outcome == .cancelRequested)
        let after = try jobs.fail("c", worker: "w", attempt: job.attempt, error: "interrupted", retryable: true)
        #expect(after.state == .cancelled)
        #expect(after.stopRequestedBy == "alice")
    }
}

@Suite struct EventPayloadTests {
    @Test func payloadsWithQuotesEscapesAndNonASCIITextSurviveEveryPath() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let payload = #"{"note":"line one\nline \"two\"\ttab \\ back","emoji":"\u00e9t\u00e9 ✓","n":-3}"#
        let reason = "client said: \"stop\" — now\nplease"
        _ = try jobs.submit(JobSubmission(id: "p", type: "t", payload: payload, batch: "b-1"), by: alice)
        let job = try #require(try jobs.claim(worker: "wörker", lease: 30))
        _ = try jobs.cancel("p", by: alice, reason: reason)
        _ = try jobs.fail("p", worker: "wörker", attempt: job.attempt, error: "boom: \"x\"", retryable: false)
        let stored = try #require(try jobs.job("p"))
        #expect(stored.payload == payload)
        #expect(stored.stopReason == reason)
        #expect(stored.worker == "wörker")
        #expect(stored.error == "boom: \"x\"")
        #expect(stored.state == .failed)
        #expect(try jobs.verifyProjections() == [])
        #expect(try jobs.job("p", asOfPosition: .max) == stored)
    }
}
