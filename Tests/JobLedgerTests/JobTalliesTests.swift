import EventStore
import Foundation
import JobLedger
import Testing

/// The projection's tallies: job counts by organisation, type and state,
/// pending jobs by where they wait, and finishing events per minute, kept
/// by every append and written the same by a rebuild.
@Suite struct JobTalliesTests {
    static let carol = Actor(id: "carol", role: .user, organisation: "globex")

    /// Counts of `jobs` computed from the listing, the tallies' reference.
    static func listed(_ jobs: JobLedger, organisation: String? = nil) throws -> (byState: [JobState: Int], byType: [String: [JobState: Int]]) {
        var byState: [JobState: Int] = [:]
        var byType: [String: [JobState: Int]] = [:]
        var cursor: String? = nil
        repeat {
            let page = try jobs.list(JobQuery(organisation: organisation), limit: 500, after: cursor)
            for job in page.jobs {
                byState[job.state, default: 0] += 1
                byType[job.type, default: [:]][job.state, default: 0] += 1
            }
            cursor = page.next
        } while cursor != nil
        return (byState, byType)
    }

    @Test func countsFollowEveryTransitionPerOrganisationAndARebuildWritesTheSameTallies() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        for index in 0..<12 {
            _ = try jobs.submit(JobSubmission(id: "a\(index)", type: index % 3 == 0 ? "mail" : "report", maxAttempts: 3), by: alice)
        }
        for index in 0..<5 { _ = try jobs.submit(JobSubmission(id: "g\(index)", type: "mail"), by: Self.carol) }
        _ = try jobs.submit(JobSubmission(id: "later", type: "report", runAt: clock.current.addingTimeInterval(3600)), by: alice)
        _ = try jobs.submit(JobSubmission(id: "after-a11", type: "report", after: ["a11"]), by: alice)
        // Completed, failed for good, failed and retried, cancelled, running.
        let first = try #require(try jobs.claim(worker: "w1", types: ["mail"], lease: 30))
        _ = try jobs.complete(first.id, worker: "w1", attempt: first.attempt)
        let second = try #require(try jobs.claim(worker: "w1", types: ["report"], lease: 30))
        _ = try jobs.fail(second.id, worker: "w1", attempt: second.attempt, error: "broken", retryable: false)
        let third = try #require(try jobs.claim(worker: "w1", types: ["report"], lease: 30))
        _ = try jobs.fail(third.id, worker: "w1", attempt: third.attempt, error: "flaky", retryable: true)
        _ = try jobs.cancel("a5", by: alice, reason: "not needed")
        _ = try #require(try jobs.claim(worker: "w2", types: ["report"], lease: 30))

        let counts = try jobs.jobCounts()
        let reference = try Self.listed(jobs)
        #expect(counts.byState == reference.byState)
        #expect(counts.byType == reference.byType)
        #expect(counts.byState[.completed] == 1 && counts.byState[.failed] == 1 && counts.byState[.cancelled] == 1)
        #expect(counts.byState[.running] == 1)
        // Where pending jobs wait: the job scheduled for later and the
        // retried one waiting out its delay are in `scheduled`, as the index.
        #expect(counts.pendingByType["report"]?[.scheduled] == 2)
        #expect(counts.pendingByType["report"]?[.waiting] == 1)
        let pendingReports = reference.byType["report"]?[.pending] ?? 0
        #expect(counts.pendingByType["report"]?[.queued] == pendingReports - 3)
        #expect(counts.pendingByType["mail"]?[.queued] == (reference.byType["mail"]?[.pending] ?? 0))
        // One organisation's counts are its jobs only.
        let globex = try jobs.jobCounts(organisation: "globex")
        #expect(globex.byState == (try Self.listed(jobs, organisation: "globex").byState))
        #expect(globex.byState.values.reduce(0, +) == 5)
        #expect(try jobs.jobCounts(organisation: "initech") == JobCounts())

        _ = try jobs.rebuildProjections()
        #expect(try jobs.jobCounts() == counts)
        #expect(try jobs.jobCounts(organisation: "globex") == globex)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func finishingEventsAreCountedInTheMinuteTheyWereRecordedAndARebuildCountsTheSame() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<7 { _ = try jobs.submit(JobSubmission(id: "m\(index)", type: "mail", maxAttempts: 2), by: alice) }
        for _ in 0..<3 {
            let job = try #require(try jobs.claim(worker: "w1", lease: 30))
            _ = try jobs.complete(job.id, worker: "w1", attempt: job.attempt)
        }
        let failing = try #require(try jobs.claim(worker: "w1", lease: 30))
        _ = try jobs.fail(failing.id, worker: "w1", attempt: failing.attempt, error: "no", retryable: false)
        _ = try jobs.cancel("m6", by: alice, reason: "wrong address")
        let running = try #require(try jobs.claim(worker: "w1", lease: 30))
        _ = try jobs.kill(running.id, by: Actor(id: "root", role: .admin, organisation: "acme"), reason: "stuck")

        // The reference: the finishing events of the log, by the minute recorded.
        var expected: [Date: [String: Int]] = [:]
        var earliest = Date.distantFuture, latest = Date.distantPast
        for event in try jobs.store.readAll(from: 1, filter: EventFilter(streamPrefix: "job-"), limit: 1000).events
        where ["JobCompleted", "JobFailed", "JobCancelled", "JobKilled"].contains(event.type) {
            let minute = Date(timeIntervalSince1970: (event.recordedAt.timeIntervalSince1970 / 60).rounded(.down) * 60)
            expected[minute, default: [:]][event.type, default: 0] += 1
            earliest = min(earliest, event.recordedAt)
            latest = max(latest, event.recordedAt)
        }
        #expect(expected.values.reduce(0) { $0 + $1.values.reduce(0, +) } == 6)
        let since = earliest.addingTimeInterval(-3600), until = latest.addingTimeInterval(60)
        func actual() throws -> [Date: [String: Int]] {
            var result: [Date: [String: Int]] = [:]
            for minute in try jobs.finishedPerMinute(since: since, until: until) {
                for (type, count) in [
                    ("JobCompleted", minute.completed), ("JobFailed", minute.failed),
                    ("JobCancelled", minute.cancelled), ("JobKilled", minute.killed),
                ] where count > 0 {
                    result[minute.minute, default: [:]][type] = count
                }
            }
            return result
        }
        #expect(try actual() == expected)
        let minutes = try jobs.finishedPerMinute(since: since, until: until)
        #expect(minutes.count >= 61 && minutes.count <= 63)
        #expect(zip(minutes, minutes.dropFirst()).allSatisfy { $1.minute.timeIntervalSince($0.minute) == 60 })
        // A day later those minutes are out of the window the tallies keep.
        #expect(try jobs.finishedPerMinute(since: since, until: until.addingTimeInterval(86_400 + 3600)).allSatisfy {
            $0.completed + $0.failed + $0.cancelled + $0.killed == 0
        })

        _ = try jobs.rebuildProjections()
        #expect(try actual() == expected)
        #expect(try jobs.verifyProjections().isEmpty)
    }
}
