import Foundation
import JobLedger
import Synchronization
import Testing

/// The one retry policy of every command: how many tries, how long between
/// them, and the error when concurrent changes keep winning.
@Suite struct ConflictRetryPolicyTests {
    @Test func waitsStartLowDoubleWithJitterUpToTheCeilingAndStopWhenTheTriesAreUsedUp() {
        let policy = ConflictRetryPolicy(attempts: 6, backoff: 0.001...0.004)
        var waits = policy.waits()
        var delays: [Double] = []
        while let delay = waits.next() { delays.append(delay) }
        // One wait before each try after the first.
        #expect(delays.count == 5)
        #expect(waits.tries == 6)
        let ceilings = [0.001, 0.002, 0.004, 0.004, 0.004]
        for (delay, ceiling) in zip(delays, ceilings) {
            #expect(delay >= 0.000_5 && delay <= ceiling + 0.000_5, "\(delays)")
        }
        #expect(ConflictRetryPolicy(attempts: 1).waits().tries == 1)
        var single = ConflictRetryPolicy(attempts: 1).waits()
        #expect(single.next() == nil)
    }

    @Test func theOldOptionsAreTheFieldsOfThePolicy() {
        var options = JobLedgerOptions()
        #expect(options.conflictRetry == ConflictRetryPolicy())
        #expect(options.maxConflictRetries == 64 && options.conflictBackoff == 0.000_2...0.02)
        options.maxConflictRetries = 5
        options.conflictBackoff = 0.01...0.5
        #expect(options.conflictRetry == ConflictRetryPolicy(attempts: 5, backoff: 0.01...0.5))
    }

    @Test func aCommandThatKeepsLosingGivesUpWithConflictRetriesExhaustedInBothForms() async throws {
        let temporary = TemporaryJobLedger()
        let interference = RenewingClock()
        let jobs = try temporary.open { options in
            options.conflictRetry = ConflictRetryPolicy(attempts: 4, backoff: 0.000_1...0.001)
            options.clock = { interference.now() }
        }
        interference.ledger.withLock { $0 = jobs }
        _ = try await jobs.submit(JobSubmission(id: "contested", type: "t"), by: alice)
        let job = try #require(try await jobs.claim(worker: "w", lease: 60))
        // From now on, between every read and append of a command the job's
        // worker renews its lease, so a completion never lands.
        interference.target.withLock { $0 = (job.id, "w", job.attempt) }
        let conflicts = jobs.commandCounters.conflictCount
        let backOffs = jobs.commandCounters.backOffCount

        #expect(throws: JobLedgerError.conflictRetriesExhausted(jobID: "contested", attempts: 4)) {
            _ = try jobs.complete("contested", worker: "w", attempt: job.attempt)
        }
        await #expect(throws: JobLedgerError.conflictRetriesExhausted(jobID: "contested", attempts: 4)) {
            _ = try await jobs.complete("contested", worker: "w", attempt: job.attempt)
        }
        // Four tries each, with a wait between tries and none after the last.
        #expect(jobs.commandCounters.conflictCount - conflicts == 8)
        #expect(jobs.commandCounters.backOffCount - backOffs == 6)
        interference.target.withLock { $0 = nil }
        let after = try #require(try jobs.job("contested"))
        #expect(after.state == .running)
        #expect(after.version == job.version + 8, "the eight renewals, and nothing of the completions")
        // Audited: the submission, the claim and the eight renewals.
        #expect(try jobs.store.readStream(JobStreams.audit("contested")).count == 10)
        interference.ledger.withLock { $0 = nil }
    }

    @Test func aPolicyOfNoTriesRefusesWithoutWritingAsBefore() async throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open { $0.maxConflictRetries = 0 }
        #expect(throws: JobLedgerError.conflictRetriesExhausted(jobID: "a", attempts: 0)) {
            _ = try jobs.submit(JobSubmission(id: "a", type: "t"), by: alice)
        }
        await #expect(throws: JobLedgerError.conflictRetriesExhausted(jobID: "(batch b)", attempts: 0)) {
            _ = try await jobs.killBatch("b", by: acmeAdmin, reason: "r")
        }
        #expect(try jobs.store.lastPosition() == 0)
    }
}

/// A ledger clock that, once given a job, renews that job's lease every
/// time a command asks for the time: between the command's read and its
/// append, so that the append always meets a newer version.
final class RenewingClock: Sendable {
    let ledger = Mutex<JobLedger?>(nil)
    let target = Mutex<(jobID: String, worker: String, attempt: Int)?>(nil)
    private let renewing = Mutex(false)
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    func now() -> Date {
        let work = renewing.withLock { busy -> (JobLedger, (jobID: String, worker: String, attempt: Int))? in
            guard !busy, let ledger = ledger.withLock({ $0 }), let target = target.withLock({ $0 }) else { return nil }
            busy = true
            return (ledger, target)
        }
        if let work {
            let target = work.1
            _ = try? work.0.renewLease(target.jobID, worker: target.worker, attempt: target.attempt, lease: 60)
            renewing.withLock { $0 = false }
        }
        return start
    }
}
