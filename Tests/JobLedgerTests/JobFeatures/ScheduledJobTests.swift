import EventStore
import Foundation
@testable import JobLedger
import Testing

/// Jobs submitted to run later: pending, not claimable until the ledger's
/// clock reaches their time, cancellable before, listed and reported apart,
/// and kept out of the queue that claims read.
@Suite struct ScheduledJobTests {
    @Test func aJobSubmittedToRunAtATimeIsClaimedOnlyOnceTheLedgerClockReachesIt() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        let runAt = clock.current + 60
        let submitted = try jobs.submit(JobSubmission(id: "later", type: "mail", runAt: runAt), by: alice).job
        #expect(submitted.state == .pending)
        #expect(submitted.runAt == runAt)
        #expect(submitted.availableAt == runAt)
        #expect(try jobs.claim(worker: "w1", lease: 30) == nil)
        #expect(try !jobs.hasClaimableJob())
        clock.advance(59.999)
        #expect(try jobs.claim(worker: "w1", lease: 30) == nil)
        clock.advance(0.001)
        #expect(try jobs.hasClaimableJob())
        let claimed = try #require(try jobs.claim(worker: "w1", types: ["mail"], lease: 30))
        #expect(claimed.id == "later")
        #expect(claimed.attempt == 1)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aDelayCountsFromTheLedgerClockAtSubmission() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        let job = try await jobs.submit(JobSubmission(id: "delayed", type: "mail", delay: 90), by: alice).job
        #expect(job.runAt == clock.current + 90)
        clock.advance(89)
        #expect(try await jobs.claim(worker: "w1", lease: 30) == nil)
        clock.advance(1)
        #expect(try await jobs.claim(worker: "w1", lease: 30)?.id == "delayed")
    }

    @Test func aScheduledJobCancelledBeforeItsTimeIsNeverClaimed() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "later", type: "mail", delay: 60), by: alice)
        let cancel = try jobs.cancel("later", by: alice, reason: "not needed")
        #expect(cancel.outcome == .cancelled)
        clock.advance(120)
        #expect(try jobs.claim(worker: "w1", lease: 30) == nil)
        #expect(try jobs.job("later")?.state == .cancelled)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aDueScheduledJobTakesItsPlaceInPriorityOrderAmongQueuedJobs() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "low", type: "t", priority: 0), by: alice)
        _ = try jobs.submit(JobSubmission(id: "urgent-later", type: "t", priority: 5, delay: 10), by: alice)
        _ = try jobs.submit(JobSubmission(id: "mid", type: "t", priority: 3), by: alice)
        _ = try jobs.submit(JobSubmission(id: "other-type-later", type: "u", priority: 9, delay: 10), by: alice)
        clock.advance(10)
        var order: [String] = []
        while let job = try jobs.claim(worker: "w1", types: ["t"], lease: 30) { order.append(job.id) }
        #expect(order == ["urgent-later", "mid", "low"])
        #expect(try jobs.claim(worker: "w1", lease: 30)?.id == "other-type-later")
    }

    @Test func aDueJobIsClaimedBehindMoreThanTenThousandHigherPriorityJobsScheduledForLater() async throws {
        // A claim reads at most 10,000 queue entries: were scheduled jobs in
        // the queue, these would hide the due one entirely.
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in stride(from: worker, to: 10_200, by: 16) {
                        _ = try await jobs.submit(
                            JobSubmission(id: "later-\(index)", type: "report", priority: 9, delay: 3600), by: alice)
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await jobs.submit(JobSubmission(id: "now", type: "report"), by: alice)
        #expect(try await jobs.claim(worker: "w1", lease: 30)?.id == "now")
        #expect(try await jobs.claim(worker: "w1", types: ["report"], lease: 30) == nil)
        clock.advance(3600)
        #expect(try await jobs.claim(worker: "w1", types: ["report"], lease: 30)?.id.hasPrefix("later-") == true)
    }

    @Test func jobsWaitingToRetryAreKeptOutOfTheQueueSoAClaimNeverReadsPastThem() throws {
        // A claim reads a bounded part of the queue (10,000 entries; 20
        // here): were jobs waiting to retry in the queue, enough of them at
        // a higher priority would hide a job claimable now entirely.
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        for index in 0..<30 {
            _ = try jobs.submit(JobSubmission(id: "flaky-\(index)", type: "report", priority: 9), by: alice)
            let claimed = try #require(try jobs.claim(worker: "w1", lease: 30))
            let failed = try jobs.fail(claimed.id, worker: "w1", attempt: claimed.attempt, error: "timeout", retryable: true)
            #expect(failed.state == .pending)
            #expect(failed.availableAt == clock.current + 1)
        }
        _ = try jobs.submit(JobSubmission(id: "now", type: "report"), by: alice)
        #expect(try jobs.claimCandidates(types: nil, now: clock.current, limit: 16, scanLimit: 20) == ["now"])
        #expect(try jobs.claimCandidates(types: ["report"], now: clock.current, limit: 16, scanLimit: 20) == ["now"])
        #expect(try jobs.claim(worker: "w2", lease: 30)?.id == "now")
        #expect(try jobs.claim(worker: "w2", lease: 30) == nil)

        // Once their wait is over they are candidates again, in queue order
        // (priority, then submission) among the earliest due.
        clock.advance(1)
        let due = try jobs.claimCandidates(types: nil, now: clock.current, limit: 16, scanLimit: 20)
        let numbers = due.compactMap { Int($0.dropFirst("flaky-".count)) }
        #expect(numbers.count == 16)
        #expect(numbers == numbers.sorted())
        #expect(try jobs.claim(worker: "w2", lease: 30)?.id == "flaky-0")
        #expect(try jobs.job("flaky-0")?.attempt == 2)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aJobWhoseLeaseRanOutWaitsForItsRetryAndARetryByHandIsClaimableAtOnce() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "lost", type: "report", maxAttempts: 2), by: alice)
        _ = try #require(try jobs.claim(worker: "w1", lease: 5))
        clock.advance(6)
        #expect(try jobs.expireLeases() == ["lost"])
        let waiting = try #require(try jobs.job("lost"))
        #expect(waiting.state == .pending)
        #expect(waiting.availableAt > clock.current)
        #expect(try jobs.claimCandidates(types: nil, now: clock.current, limit: 16) == [])
        #expect(try jobs.claimCandidates(types: nil, now: waiting.availableAt, limit: 16) == ["lost"])
        #expect(try jobs.verifyProjections().isEmpty)

        _ = try jobs.submit(JobSubmission(id: "broken", type: "report", maxAttempts: 1), by: alice)
        clock.advance(3600)
        _ = try #require(try jobs.claim(worker: "w1", types: ["report"], lease: 5))
        let claimed = try #require(try jobs.claim(worker: "w1", types: ["report"], lease: 5))
        _ = try jobs.fail(claimed.id, worker: "w1", attempt: claimed.attempt, error: "bad template", retryable: false)
        #expect(try jobs.job(claimed.id)?.state == .failed)
        _ = try jobs.retry(claimed.id, by: alice)
        #expect(try jobs.claimCandidates(types: nil, now: clock.current, limit: 16, scanLimit: 1) == [claimed.id])
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test(TestBackend.onLMDBOnly, arguments: [5, 6])
    func tablesBuiltByAnOlderVersionAreReadAndVerifiedReadOnlyAndRebuiltWhenOpenedForWriting(version: Int) throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        do {
            let jobs = try ledger.open(clock: clock)
            _ = try jobs.submit(JobSubmission(id: "flaky", type: "report"), by: alice)
            let claimed = try #require(try jobs.claim(worker: "w1", lease: 30))
            _ = try jobs.fail("flaky", worker: "w1", attempt: claimed.attempt, error: "timeout", retryable: true)
        }
        // The tables as that version built them: no tallies, and in version 5 the waiting job in the queue.
        do {
            var options = EventStoreOptions.noSync
            options.projections = [JobProjection(rebuildJobsInMemory: 7, build: JobProjectionBuild.of(version: version)!)]
            let store = try EventStore.open(at: ledger.path, options: options)
            #expect(try store.projectionVersions().stored == "JobProjection:\(version)")
        }
        func entries(_ jobs: JobLedger) throws -> [Int] {
            try jobs.store.readProjections { tables in
                var counts = [0, 0]
                try tables.scan(JobTables.queue) { _, _ in counts[0] += 1; return true }
                try tables.scan(JobTables.scheduled) { _, _ in counts[1] += 1; return true }
                return counts
            }
        }
        do {
            let jobs = try ledger.open(clock: clock) { $0.store.readOnly = true }
            #expect(try entries(jobs) == (version == 5 ? [1, 0] : [0, 1]))
            #expect(try jobs.job("flaky")?.state == .pending)
            #expect(try jobs.verifyProjections().isEmpty)
        }
        let jobs = try ledger.open(clock: clock)
        #expect(try jobs.store.projectionVersions().stored == "JobProjection:7")
        #expect(try jobs.jobCounts().byState[.pending] == 1)
        #expect(try entries(jobs) == [0, 1])
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func listAndTheReportShowScheduledJobsApart() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "now", type: "t"), by: alice)
        _ = try jobs.submit(JobSubmission(id: "soon", type: "t", delay: 10), by: alice)
        _ = try jobs.submit(JobSubmission(id: "later", type: "t", delay: 100), by: alice)
        #expect(Set(try jobs.list(JobQuery(scheduled: true)).jobs.map(\.id)) == ["soon", "later"])
        #expect(try jobs.list(JobQuery(state: .pending, scheduled: false)).jobs.map(\.id) == ["now"])
        #expect(try jobs.report().byState == ["pending": 1, "scheduled": 2])
        clock.advance(10)
        #expect(try jobs.list(JobQuery(scheduled: true)).jobs.map(\.id) == ["later"])
        #expect(try jobs.report().byState == ["pending": 2, "scheduled": 1])
    }

    @Test func aTimeThatCannotBeStoredOrBothATimeAndADelayAreRefusedAndNothingIsStored() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        let bad: [(JobSubmission, String)] = [
            (JobSubmission(id: "a", type: "t", runAt: clock.current + 5, delay: 5), "delay"),
            (JobSubmission(id: "b", type: "t", delay: -1), "delay"),
            (JobSubmission(id: "c", type: "t", delay: .nan), "delay"),
            (JobSubmission(id: "d", type: "t", delay: JobLimits.maxDelaySeconds + 1), "delay"),
            (JobSubmission(id: "e", type: "t", runAt: Date(timeIntervalSince1970: 7_300_000_000)), "runAt"),
        ]
        for (submission, field) in bad {
            #expect {
                _ = try jobs.submit(submission, by: alice)
            } throws: { error in
                (error as? JobLedgerError)?.code == .invalidInput && "\(error)".contains(field)
            }
            #expect(try jobs.job(submission.id!) == nil)
        }
        #expect(try jobs.list().jobs.isEmpty)
    }

    @Test func aScheduledSubmissionIsStoredWithItsTimeAndReadsBackAfterARebuild() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        do {
            let jobs = try ledger.open(clock: clock)
            _ = try jobs.submit(JobSubmission(id: "later", type: "t", delay: 30), by: alice)
            let history = try jobs.history("later")
            let submitted = try #require(history.first { $0.type == "JobSubmitted" })
            #expect(submitted.data.contains(#""runAt":"2027-01-15T08:00:30.000Z""#))
            _ = try jobs.rebuildProjections()
            #expect(try jobs.verifyProjections().isEmpty)
            #expect(try jobs.claim(worker: "w1", lease: 30) == nil)
            clock.advance(30)
            #expect(try jobs.claim(worker: "w1", lease: 30)?.id == "later")
        }
    }
}

/// Tags: labels given at submission that `list` finds jobs by.
@Suite struct JobTagTests {
    @Test func listByTagFindsTheJobsCarryingItThroughItsIndex() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "a", type: "t", tags: ["invoice", "eu", "invoice"]), by: alice)
        clock.advance(1)
        _ = try jobs.submit(JobSubmission(id: "b", type: "t", tags: ["invoice"]), by: bob)
        clock.advance(1)
        _ = try jobs.submit(JobSubmission(id: "c", type: "t"), by: alice)
        #expect(try jobs.job("a")?.tags == ["invoice", "eu"])
        #expect(try jobs.list(JobQuery(tag: "invoice")).jobs.map(\.id) == ["a", "b"])
        #expect(try jobs.list(JobQuery(owner: "alice", tag: "invoice")).jobs.map(\.id) == ["a"])
        #expect(try jobs.list(JobQuery(tag: "eu")).jobs.map(\.id) == ["a"])
        let first = try jobs.list(JobQuery(tag: "invoice"), limit: 1)
        #expect(first.jobs.map(\.id) == ["a"])
        #expect(try jobs.list(JobQuery(tag: "invoice"), limit: 1, after: first.next).jobs.map(\.id) == ["b"])
        #expect(try jobs.list(JobQuery(tag: "none")).jobs.isEmpty)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aTagThatIsNotANameOrTooManyTagsAreRefusedAndNothingIsStored() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        #expect { _ = try jobs.submit(JobSubmission(id: "x", type: "t", tags: ["bad\u{0}tag"]), by: alice) } throws: { error in
            (error as? JobLedgerError)?.code == .invalidInput && "\(error)".contains("tag")
        }
        let many = (0...JobLimits.maxTags).map { "tag-\($0)" }
        #expect { _ = try jobs.submit(JobSubmission(id: "y", type: "t", tags: many), by: alice) } throws: { error in
            (error as? JobLedgerError)?.code == .invalidInput && "\(error)".contains("tag")
        }
        #expect(try jobs.job("x") == nil && jobs.job("y") == nil)
    }
}
