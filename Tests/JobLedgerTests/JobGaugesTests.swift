import EventStore
import Foundation
import JobLedger
import Testing

/// The gauges `/metrics` reads (jobs by state, queue depth by type): read
/// from the tallies, with the figures a count of the listing gives.
@Suite struct JobGaugesTests {
    static let carol = Actor(id: "carol", role: .user, organisation: "globex")

    /// Jobs by state, and pending jobs claimable now with nothing to wait
    /// for by type, counted from the listing at `now` (the clock has not
    /// passed any delay the mix set).
    static func listed(_ jobs: JobLedger, now: Date) throws -> (byState: [JobState: Int], queued: [String: Int]) {
        var byState: [JobState: Int] = [:]
        var queued: [String: Int] = [:]
        var cursor: String? = nil
        repeat {
            let page = try jobs.list(JobQuery(), limit: 500, after: cursor)
            for job in page.jobs {
                byState[job.state, default: 0] += 1
                if job.state == .pending && job.waitingFor.isEmpty && job.availableAt <= now {
                    queued[job.type, default: 0] += 1
                }
            }
            cursor = page.next
        } while cursor != nil
        return (byState, queued)
    }

    @Test("after submits, claims, completions, cancels, retry delays, jobs to run later and jobs waiting for others, the gauges equal a count of the listing")
    func gaugesEqualACountOfTheListing() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        for index in 0..<15 {
            let type = ["mail", "report", "resize"][index % 3]
            _ = try jobs.submit(JobSubmission(id: "a\(index)", type: type, maxAttempts: 3), by: index % 4 == 0 ? Self.carol : alice)
        }
        _ = try jobs.submit(JobSubmission(id: "later", type: "mail", runAt: clock.current.addingTimeInterval(3600)), by: alice)
        _ = try jobs.submit(JobSubmission(id: "after-a14", type: "report", after: ["a14"]), by: alice)
        _ = try jobs.submit(JobSubmission(id: "after-a0", type: "resize", after: ["a0"]), by: Self.carol)

        let completed = try #require(try jobs.claim(worker: "w1", types: ["mail"], lease: 30))
        _ = try jobs.complete(completed.id, worker: "w1", attempt: completed.attempt)
        let retried = try #require(try jobs.claim(worker: "w1", types: ["report"], lease: 30))
        _ = try jobs.fail(retried.id, worker: "w1", attempt: retried.attempt, error: "flaky", retryable: true)
        let failed = try #require(try jobs.claim(worker: "w2", types: ["resize"], lease: 30))
        _ = try jobs.fail(failed.id, worker: "w2", attempt: failed.attempt, error: "broken", retryable: false)
        _ = try jobs.cancel("a5", by: alice, reason: "not needed")
        _ = try jobs.cancel("a7", by: alice, reason: "not needed")
        let running = try #require(try jobs.claim(worker: "w3", types: ["report"], lease: 30))
        let cancelling = try #require(try jobs.claim(worker: "w3", types: ["mail"], lease: 30))
        _ = try jobs.cancel(cancelling.id, by: cancelling.organisation == "globex" ? Self.carol : alice, reason: "stop")

        let gauges = try jobs.gauges()
        let reference = try Self.listed(jobs, now: clock.current)
        #expect(gauges.complete)
        #expect(gauges.byState == reference.byState)
        #expect(gauges.pendingByType == reference.queued)
        // The mix left every kind of figure it meant to.
        #expect(gauges.byState[.completed] == 1 && gauges.byState[.failed] == 1 && gauges.byState[.cancelled] == 2)
        #expect(gauges.byState[.running] == 1 && running.state == .running)
        #expect((reference.byState[.pending] ?? 0) > gauges.pendingByType.values.reduce(0, +))
        #expect(try jobs.job(retried.id)?.state == .pending)
    }

    @Test("the gauges stay exact and complete with many more jobs than rows they may read: a row counts a type, not a job")
    func gaugesCountJobsNotRows() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<40 {
            _ = try jobs.submit(JobSubmission(id: "j\(index)", type: index % 2 == 0 ? "mail" : "report"), by: alice)
        }
        _ = try #require(try jobs.claim(worker: "w", types: ["mail"], lease: 30))
        let gauges = try jobs.gauges(scanLimit: 10)
        #expect(gauges.complete)
        #expect(gauges.byState == [.pending: 39, .running: 1])
        #expect(gauges.pendingByType == ["mail": 19, "report": 20])
    }
}
