import EventStore
import Foundation
import JobLedger
import Testing

/// Every number a caller gives is bounded before anything is written, and
/// numbers and times a ledger already stores (an old ledger, an import)
/// never trap the commands that read them.
@Suite struct NumberBoundsTests {
    @Test func numbersOutsideTheirBoundsAreRefusedWithTheFieldNamedAndNothingAppended() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "ok", type: "t"), by: alice)
        for attempts in [Int.max, JobLimits.maxAttempts.upperBound + 1, 0, -5, Int.min] {
            try JobInputTests.expectInvalid("maxAttempts", jobs) {
                _ = try jobs.submit(JobSubmission(id: "a", type: "t", maxAttempts: attempts), by: alice)
            }
        }
        for priority in [Int.max, Int.min, JobLimits.priority.upperBound + 1, JobLimits.priority.lowerBound - 1] {
            try JobInputTests.expectInvalid("priority", jobs) {
                _ = try jobs.submit(JobSubmission(id: "a", type: "t", priority: priority), by: alice)
            }
        }
        for lease in [1e300, 9.3e12, 9.2e12, JobLimits.maxLeaseSeconds + 1, .infinity] {
            try JobInputTests.expectInvalid("lease", jobs) { _ = try jobs.claim(worker: "w", lease: lease) }
        }
        let claimed = try #require(try jobs.claim(worker: "w", lease: JobLimits.maxLeaseSeconds))
        try JobInputTests.expectInvalid("lease", jobs) {
            _ = try jobs.renewLease("ok", worker: "w", attempt: claimed.attempt, lease: 9.223372e12)
        }
        try JobInputTests.expectInvalid("limit", jobs) { _ = try jobs.list(limit: Int.max) }
        try JobInputTests.expectInvalid("topFailures", jobs) { _ = try jobs.report(topFailures: -1) }
        #expect(try jobs.job("a") == nil)
        #expect(try jobs.job("ok")?.maxAttempts == 3)
    }

    @Test func timesOutsideTheLedgersRangeAreRefusedAtEveryEdge() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "j", type: "t"), by: alice)
        let early = Date(timeIntervalSince1970: -1)
        let late = Date(timeIntervalSince1970: Double(LedgerTimeRange.millis.upperBound) / 1000)
        let absurd = Date(timeIntervalSince1970: 1e300)
        for time in [early, late, absurd] {
            try JobInputTests.expectInvalid("asOf", jobs) { _ = try jobs.job("j", asOf: time) }
            try JobInputTests.expectInvalid("asOf", jobs) { _ = try jobs.jobs(asOf: time) }
            try JobInputTests.expectInvalid("submittedFrom", jobs) { _ = try jobs.list(JobQuery(submittedFrom: time)) }
            try JobInputTests.expectInvalid("submittedBefore", jobs) { _ = try jobs.list(JobQuery(submittedBefore: time)) }
            try JobInputTests.expectInvalid("from", jobs) { _ = try jobs.report(from: time) }
        }
        // A clock set beyond the range: the lease would end past it.
        let farClock = TestClock(Date(timeIntervalSince1970: Double(LedgerTimeRange.millis.upperBound) / 1000 - 10))
        let far = try ledger.open(clock: farClock)
        let before = try far.store.lastPosition()
        #expect(throws: JobLedgerError.self) { _ = try far.claim(worker: "w", lease: 60) }
        #expect(try far.store.lastPosition() == before)
        #expect(try far.job("j")?.state == .pending)
    }

    /// The attack of the issue: a job stored with `maxAttempts` Int.max,
    /// retried once, then its lease expired. The sweep trapped on
    /// `attemptBase + maxAttempts`, and so did every later sweep.
    @Test func aJobStoredWithHugeAttemptNumbersIsSweptAndShownWithoutATrap() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock) { $0.retryPolicy = RetryPolicy(baseDelay: 0.001, maxDelay: 0.001) }
        // What an old ledger or an import may hold: no command writes it today.
        let submitted = #"{"id":"huge","maxAttempts":9223372036854775807,"organisation":"acme","owner":"alice","payload":"{}","priority":-9223372036854775808,"type":"t"}"#
        _ = try jobs.store.append([StreamAppend(
            streamID: JobStreams.job("huge"), expectedVersion: .noStream,
            events: [EventData(type: "JobSubmitted", payload: Array(submitted.utf8), actor: "alice", recordedAt: clock.current)])])
        _ = try jobs.submit(JobSubmission(id: "plain", type: "other"), by: alice)

        var job = try #require(try jobs.claim(worker: "w", types: ["t"], lease: 1))
        job = try jobs.fail("huge", worker: "w", attempt: job.attempt, error: "boom", retryable: false)
        #expect(try jobs.retry("huge", by: alice).outcome == .retried)
        clock.advance(1)
        job = try #require(try jobs.claim(worker: "w", types: ["t"], lease: 1))
        #expect(job.attemptsLeft == Int.max - 2)
        #expect(job.attemptsAllowed == Int.max)
        let plain = try #require(try jobs.claim(worker: "v", types: ["other"], lease: 1))
        clock.advance(5)

        #expect(Set(try jobs.expireLeases()) == ["huge", "plain"])
        #expect(try jobs.job("huge")?.state == .pending)
        #expect(try jobs.job("plain")?.state == .pending)
        #expect(try jobs.expireLeases().isEmpty)
        #expect(try jobs.list().jobs.count == 2)
        clock.advance(1)
        job = try #require(try jobs.claim(worker: "w", types: ["t"], lease: 1))
        _ = try jobs.renewLease("huge", worker: "w", attempt: job.attempt, lease: 10)
        #expect(try jobs.fail("huge", worker: "w", attempt: job.attempt, error: "again", retryable: true).state == .pending)
        #expect(plain.attempt == 1)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func theRetryDelayOfAnyStoredAttemptNumberIsDefined() {
        let policy = RetryPolicy(baseDelay: 1, maxDelay: 3600)
        #expect(policy.delay(afterAttempt: Int.min) == 1)
        #expect(policy.delay(afterAttempt: 0) == 1)
        #expect(policy.delay(afterAttempt: 3) == 4)
        #expect(policy.delay(afterAttempt: Int.max) == 3600)
    }

    /// A time outside the range in a stored payload is damage: the append
    /// that would store it fails (the projection cannot read it back) and
    /// leaves the ledger as it was.
    @Test func aStoredLeaseOutsideTheRangeIsRefusedRatherThanFolded() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "j", type: "t"), by: alice)
        let before = try jobs.store.lastPosition()
        for lease in ["0000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2200-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"] {
            let payload = #"{"attempt":1,"leaseUntil":"\#(lease)","worker":"w"}"#
            #expect(throws: (any Error).self, "\(lease)") {
                _ = try jobs.store.append([StreamAppend(
                    streamID: JobStreams.job("j"), expectedVersion: .exact(1),
                    events: [EventData(type: "JobClaimed", payload: Array(payload.utf8), actor: "w")])])
            }
        }
        #expect(try jobs.store.lastPosition() == before)
        #expect(try jobs.job("j")?.state == .pending)
    }
}
