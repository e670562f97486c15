import EventStore
import Foundation
import JobLedger
import Testing

@Suite struct ReportTests {
    /// Builds a small history with known timings on a test clock.
    static func scenario() throws -> (TemporaryJobLedger, JobLedger, TestClock, Date) {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let start = clock.current
        let jobs = try ledger.open(clock: clock) { $0.retryPolicy = RetryPolicy(baseDelay: 0) }
        for index in 0..<12 {
            _ = try jobs.submit(
                JobSubmission(id: "r\(index)", type: index % 3 == 0 ? "report" : "email", maxAttempts: 2,
                              batch: index < 4 ? "nightly" : nil),
                by: index % 2 == 0 ? alice : Actor(id: "gus", role: .user, organisation: "globex"))
            clock.advance(1)
        }
        var running: [Job] = []
        for step in 0..<9 {
            clock.advance(Double(step + 1))
            running.append(try #require(try jobs.claim(worker: "w", lease: 600)))
        }
        for (index, job) in running.enumerated() {
            clock.advance(Double(index % 4) + 0.5)
            switch index % 4 {
            case 0: _ = try jobs.complete(job.id, worker: "w", attempt: job.attempt)
            case 1: _ = try jobs.fail(job.id, worker: "w", attempt: job.attempt, error: "smtp down", retryable: false)
            case 2:
                _ = try jobs.cancel(job.id, by: acmeAdmin, reason: "too slow")
                clock.advance(4)
                _ = try? jobs.acknowledgeCancel(job.id, worker: "w", attempt: job.attempt)
            default: break  // left running
            }
        }
        _ = try jobs.cancel("r11", by: Actor.system, reason: "queue purge")
        clock.advance(3600)  // every lease still held has now passed
        return (ledger, jobs, clock, start)
    }

    @Test func reportFiguresMatchValuesComputedFromTheRawEvents() throws {
        let (ledger, jobs, _, _) = try Self.scenario()
        _ = ledger
        let report = try jobs.report()
        let ids = (0..<12).map { "r\($0)" }
        let states = try ids.map { try #require(try jobs.job($0)) }

        var expectedByState: [String: Int] = [:]
        for job in states { expectedByState[job.state.rawValue, default: 0] += 1 }
        #expect(report.byState == expectedByState)
        #expect(report.byType == ["report": 4, "email": 8])
        #expect(report.byOrganisation == ["acme": 6, "globex": 6])
        #expect(report.byBatch == ["nightly": 4])

        // Queue waits and run times straight from each job stream's events.
        var waits: [String: [Double]] = [:]
        var runs: [String: [Double]] = [:]
        for job in states {
            let events = try jobs.store.readStream(JobStreams.job(job.id))
            guard let claimed = events.first(where: { $0.type == "JobClaimed" }) else { continue }
            waits[job.type, default: []].append(claimed.recordedAt.timeIntervalSince(events[0].recordedAt))
            if let done = events.first(where: { $0.type == "JobCompleted" }) {
                runs[job.type, default: []].append(done.recordedAt.timeIntervalSince(claimed.recordedAt))
            }
        }
        for (type, values) in waits {
            let sorted = values.sorted()
            #expect(report.queueWait[type]?.count == values.count)
            #expect(report.queueWait[type]?.p50 == sorted[Int((0.5 * Double(sorted.count)).rounded(.up)) - 1])
            #expect(report.queueWait[type]?.p99 == sorted.last)
        }
        #expect(report.runTime.mapValues(\.count) == runs.mapValues(\.count))

        // Cancellations: requester, reason and request-to-cancelled time.
        let adminCancels = try #require(report.cancellations.first { $0.reason == "too slow" })
        #expect(adminCancels.actor == "root")
        #expect(adminCancels.count == 2)
        #expect(adminCancels.medianSecondsToCancelled == 4)
        let purge = try #require(report.cancellations.first { $0.reason == "queue purge" })
        #expect(purge.count == 1)
        #expect(purge.medianSecondsToCancelled == 0)

        #expect(report.topFailureReasons.map(\.label) == ["smtp down"])
        #expect(report.topFailureReasons.map(\.count) == [2])
        #expect(report.stuck.map(\.id).sorted() == states.filter { $0.state == .running }.map(\.id).sorted())

        // Throughput: the same event counts, summed over the hours.
        let all = try jobs.store.readAll(filter: EventFilter(streamPrefix: "job-")).events
        #expect(report.throughput.map(\.submitted).reduce(0, +) == all.filter { $0.type == "JobSubmitted" }.count)
        #expect(report.throughput.map(\.completed).reduce(0, +) == all.filter { $0.type == "JobCompleted" }.count)
        #expect(report.throughput.map(\.cancelled).reduce(0, +) == all.filter { $0.type == "JobCancelled" }.count)
        #expect(report.throughput.map(\.failed).reduce(0, +) == all.filter { $0.type == "JobFailed" }.count)
    }

    @Test func aTimeWindowKeepsOnlyJobsSubmittedInIt() throws {
        let (ledger, jobs, _, start) = try Self.scenario()
        _ = ledger
        let report = try jobs.report(from: start + 2, to: start + 5)
        #expect(report.byState.values.reduce(0, +) == 3)
        #expect(report.byType == ["email": 2, "report": 1])
    }

    @Test func tablesRenderAsAlignedTextAndQuotedCSV() throws {
        let table = ReportTable(title: "T", columns: ["a", "long column"], rows: [["x, y", "say \"hi\""], ["z", "1"]])
        #expect(table.renderCSV() == "a,long column\n\"x, y\",\"say \"\"hi\"\"\"\nz,1\n")
        let text = table.renderText().split(separator: "\n")
        #expect(text[0] == "T")
        #expect(text[1] == "a     long column")
        #expect(text[3] == "x, y  say \"hi\"")
        let (ledger, jobs, _, _) = try Self.scenario()
        _ = ledger
        let report = try jobs.report()
        #expect(report.tables.count == 11)
        let decoded = try JSONSerialization.jsonObject(with: Data(try report.jsonText().utf8)) as? [String: Any]
        #expect(decoded?["byState"] != nil)
    }
}
