import EventStore
import Foundation
import JobLedger
import Testing

@Suite struct ReplayTests {
    @Test func historyShowsEveryEventWithStatesAndTheAuditEntriesIncludingRefusals() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "h", type: "t"), by: alice)
        clock.advance(2)
        let job = try #require(try jobs.claim(worker: "w", lease: 30))
        clock.advance(3)
        #expect(try jobs.cancel("h", by: otherAdmin, reason: "not mine").outcome == .forbidden)
        #expect(try jobs.cancel("h", by: alice, reason: "hung").outcome == .cancelRequested)
        clock.advance(1)
        _ = try jobs.acknowledgeCancel("h", worker: "w", attempt: job.attempt)

        let history = try jobs.history("h")
        let jobLines = history.filter { $0.stream == "job" }
        #expect(jobLines.map(\.type) == ["JobSubmitted", "JobClaimed", "CancelRequested", "JobCancelled"])
        #expect(jobLines.map(\.stateAfter) == [.pending, .running, .cancelRequested, .cancelled])
        #expect(jobLines.map(\.stateBefore) == [nil, .pending, .running, .cancelRequested])
        #expect(history.map(\.position) == history.map(\.position).sorted())
        #expect(jobLines[1].sincePrevious != nil)
        let refusal = try #require(history.first { $0.audit?.outcome == .forbidden })
        #expect(refusal.audit?.actor == "eve")
        #expect(refusal.audit?.organisation == "globex")
        #expect(refusal.audit?.reason == "not mine")
        #expect(refusal.stateAfter == .running)
        #expect(history.filter { $0.stream == "audit" }.count == 5)
        #expect(throws: JobLedgerError.notFound(jobID: "nope")) { try jobs.history("nope") }
    }

    @Test func asOfPositionMatchesTheStateAfterTheChosenEvent() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock) { $0.retryPolicy = RetryPolicy(baseDelay: 0) }
        _ = try jobs.submit(JobSubmission(id: "a", type: "t", maxAttempts: 2), by: alice)
        _ = try jobs.submit(JobSubmission(id: "b", type: "t"), by: bob)
        var attempt = try #require(try jobs.claim(worker: "w", lease: 10)).attempt
        _ = try jobs.fail("a", worker: "w", attempt: attempt, error: "x", retryable: true)
        clock.advance(1)
        attempt = try #require(try jobs.claim(worker: "w", types: nil, lease: 10)).attempt
        _ = try jobs.complete(try #require(try jobs.list(JobQuery(state: .running)).jobs.first).id, worker: "w", attempt: attempt)

        let history = try jobs.history("a").filter { $0.stream == "job" }
        let submittedAt = history[0].position
        #expect(try jobs.job("a", asOfPosition: submittedAt - 1) == nil)
        for line in history {
            #expect(try jobs.job("a", asOfPosition: line.position)?.state == line.stateAfter)
            #expect(try jobs.job("a", asOfPosition: line.position)?.version == line.version)
        }
        #expect(try jobs.job("a", asOfPosition: .max) == jobs.job("a"))
    }

    @Test func asOfTimeFoldsEventsRecordedUpToThatTimeForOneJobAndForAll() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let start = clock.current
        let jobs = try ledger.open(clock: clock)
        _ = try jobs.submit(JobSubmission(id: "t1", type: "t"), by: alice)
        clock.advance(10)
        _ = try jobs.submit(JobSubmission(id: "t2", type: "t"), by: alice)
        let claimed = try #require(try jobs.claim(worker: "w", lease: 60))
        clock.advance(10)
        _ = try jobs.complete(claimed.id, worker: "w", attempt: claimed.attempt)

        #expect(try jobs.job("t1", asOf: start - 1) == nil)
        #expect(try jobs.job("t1", asOf: start + 5)?.state == .pending)
        #expect(try jobs.job("t1", asOf: start + 15)?.state == .running)
        #expect(try jobs.job("t1", asOf: start + 25)?.state == .completed)
        let at15 = try jobs.jobs(asOf: start + 15)
        #expect(at15.mapValues(\.state) == ["t1": .running, "t2": .pending])
        #expect(try jobs.jobs(asOf: start + 100) == ["t1": jobs.job("t1")!, "t2": jobs.job("t2")!])
    }

    @Test func replayWithABreakpointStepsThroughEveryJobEventUpToThePosition() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<4 { _ = try jobs.submit(JobSubmission(id: "r\(index)", type: "t"), by: alice) }
        let job = try #require(try jobs.claim(worker: "w", lease: 60))
        _ = try jobs.complete(job.id, worker: "w", attempt: job.attempt)
        let last = try jobs.store.lastPosition()
        let all = try jobs.replaySteps(of: nil, upTo: last)
        #expect(all.count == 6)
        for step in all { #expect(step.after?.version == step.event.streamVersion) }
        let breakpoint = all[4].event.position
        let partial = try jobs.replaySteps(of: nil, upTo: breakpoint)
        #expect(partial.count == 5)
        #expect(partial.last?.after == all[4].after)
        let one = try jobs.replaySteps(of: job.id, upTo: last)
        #expect(one.map(\.after?.state) == [.pending, .running, .completed])
        #expect(one.last?.after == (try jobs.job(job.id)))
    }
}
