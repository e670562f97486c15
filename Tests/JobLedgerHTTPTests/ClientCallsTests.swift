import Foundation
import JobLedgerClient
import Testing

/// Every typed call of the client against a live server: the answers decode
/// into their types, with the values the ledger holds.
@Suite struct ClientCallsTests {
    @Test func everyCallOfTheClientDecodesTheLiveServersAnswer() async throws {
        let server = try await LiveServer()
        let system = try server.client(server.systemToken)
        let alice = system.authenticated(with: try server.token("alice", role: .user))
        let admin = system.authenticated(with: try server.token("root", role: .admin))
        let worker = system.authenticated(with: try server.token("w1", role: .worker))

        #expect(try await system.isHealthy())
        #expect(try await system.isReady())
        let document = try await system.openAPIDocument()
        #expect(document["openapi"]?.stringValue?.hasPrefix("3.1") == true)

        // Submit is idempotent on the id; the owner comes from the token.
        let created = try await alice.submit(NewJob(
            id: "doc-7.a:b", type: "render", payload: .object(["pages": .number(3)]), priority: 5, maxAttempts: 2, batch: "b1"))
        #expect(created.created)
        #expect(created.job.owner == "alice" && created.job.org == "acme" && created.job.state == .pending)
        #expect(created.job.priority == 5 && created.job.maxAttempts == 2 && created.job.batch == "b1")
        let again = try await alice.submit(NewJob(id: "doc-7.a:b", type: "render"))
        #expect(!again.created && again.job.id == "doc-7.a:b")
        #expect(again.duplicate == nil)
        // A unique key held by another job answers that job, as a duplicate.
        let holder = try await alice.submit(NewJob(id: "u-1", type: "digest", unique: UniqueJobKey(key: "weekly", window: 600)))
        #expect(holder.created && holder.duplicate == nil)
        let duplicate = try await alice.submit(NewJob(id: "u-2", type: "digest", unique: UniqueJobKey(key: "weekly", window: 600)))
        #expect(!duplicate.created && duplicate.duplicate == true && duplicate.job.id == "u-1")
        for index in 0..<3 { _ = try await alice.submit(NewJob(id: "other-\(index)", type: "mail")) }

        // Worker calls: claim, renew, fail (retryable), claim again, complete.
        let claimed = try #require(try await worker.claim(types: ["render"], lease: 30, wait: 1))
        #expect(claimed.id == "doc-7.a:b" && claimed.attempt == 1 && claimed.worker == "w1" && claimed.state == .running)
        let renewed = try await worker.renew(claimed.id, attempt: 1, lease: 60)
        #expect(!renewed.cancelRequested)
        #expect((renewed.job.leaseUntil ?? .distantPast) > (claimed.leaseUntil ?? .distantFuture))
        let failed = try await worker.fail(claimed.id, attempt: 1, error: "printer jammed", retryable: true)
        #expect(failed.error == "printer jammed")
        #expect(try await worker.claim(types: ["nothing-of-this-type"], lease: 5, wait: 0) == nil)
        let second = try #require(try await worker.claim(types: ["render"], lease: 30, wait: 5))
        #expect(second.attempt == 2)
        let done = try await worker.complete(second.id, attempt: 2, result: .object(["url": .string("https://x/y")]))
        #expect(done.state == .completed && done.result?["url"] == .string("https://x/y"))

        // Reads: one job, a page with a cursor, history, as of a position.
        #expect(try await alice.job("doc-7.a:b").state == .completed)
        let first = try await alice.jobs(JobFilter(type: "mail"), limit: 2)
        #expect(first.jobs.count == 2)
        let cursor = try #require(first.next)
        let rest = try await alice.jobs(JobFilter(type: "mail"), limit: 2, cursor: cursor)
        #expect(Set((first.jobs + rest.jobs).map(\.id)) == ["other-0", "other-1", "other-2"])
        let history = try await alice.history("doc-7.a:b")
        #expect(history.job == "doc-7.a:b")
        let submittedAt = try #require(history.events.first { $0.type == "JobSubmitted" })
        #expect(submittedAt.stateAfter == .pending && submittedAt.actor == "alice")
        #expect(history.events.contains { $0.type == "JobCompleted" && $0.stateBefore == .running && $0.stateAfter == .completed })
        let past = try await alice.job("doc-7.a:b", asOfPosition: submittedAt.position)
        #expect(past.state == .pending)

        // Operator actions: every outcome an answer; retry reopens.
        #expect(try await alice.cancel("doc-7.a:b", reason: "late").outcome == .alreadyCompleted)
        #expect(try await alice.cancel("other-0", reason: "not needed").outcome == .cancelled)
        #expect(try await alice.retry("other-0").outcome == .retried)
        #expect(try await admin.kill("other-1", reason: "stuck").outcome == .killed)
        let batch = try await admin.killBatch("b1", reason: "cleanup")
        #expect(batch.map { "\($0.id)=\($0.outcome)" } == ["doc-7.a:b=already_completed"])

        // Settings of a job type: read by anyone, changed by admins; null lifts.
        #expect(try await alice.queueSettings("mail").concurrency == nil)
        #expect(try await admin.setConcurrencyLimit(2, forType: "mail", reason: "quota").concurrency == 2)
        #expect(try await admin.setConcurrencyLimit(nil, forType: "mail").concurrency == nil)
        let rated = try await admin.setRateLimit(10, per: 60, forType: "mail")
        #expect(rated.rate == 10 && rated.ratePeriod == 60)
        #expect(try await admin.setRateLimit(nil, forType: "mail").rate == nil)
        #expect(try await admin.setRetention(86_400, forType: "mail", reason: "a day").retentionSeconds == 86_400)
        #expect(try await alice.queueSettings("mail").retentionSeconds == 86_400)
        #expect(try await admin.setRetention(nil, forType: "mail").retentionSeconds == nil)
        #expect(try await admin.pauseQueue("mail", reason: "smtp down").paused)
        #expect(try await alice.queueSettings("mail").paused)
        #expect(try await admin.resumeQueue("mail").paused == false)
        await #expect(throws: (any Error).self) { try await alice.pauseQueue("mail", reason: "mine") }

        // Recurring schedules: set and changed by admins, listed by users.
        let nightly = try await admin.setSchedule(
            "nightly", type: "report", timing: .cron("30 2 * * *", timeZone: "Europe/Paris"),
            payload: .object(["kind": .string("daily")]), missed: "skip")
        #expect(nightly.cron == "30 2 * * *" && nightly.timeZone == "Europe/Paris" && nightly.every == nil)
        #expect(nightly.owner == "root" && nightly.missed == "skip" && nightly.next != nil)
        // Starting in an hour: its first job must not be enqueued while the
        // log is read below (on a slow machine the test outlasts a second).
        let hourly = try await admin.setSchedule(
            "hourly", type: "report", timing: .every(seconds: 3600), start: Date().addingTimeInterval(3600))
        #expect(hourly.every == 3600 && hourly.cron == nil)
        #expect(try await alice.schedules().map(\.name).sorted() == ["hourly", "nightly"])
        #expect(try await admin.pauseSchedule("nightly").paused)
        #expect(try await admin.resumeSchedule("nightly").paused == false)
        await #expect(throws: LedgerProblem.self) { try await alice.pauseSchedule("nightly") }
        try await admin.removeSchedule("hourly", reason: "not needed")
        await #expect(throws: LedgerProblem.self) { try await admin.removeSchedule("hourly") }
        #expect(try await alice.schedules().map(\.name) == ["nightly"])

        // The whole log: pages, export lines, report, metrics.
        let page = try await system.events(after: 0, limit: 1000)
        #expect(page.next == nil && page.events.last?.position == page.lastPosition)
        var exported: [LedgerEvent] = []
        for try await line in try await system.export() { exported.append(try LedgerEvent(line: line)) }
        #expect(exported == page.events)
        var csv: [String] = []
        for try await line in try await system.export(format: .csv, stream: "job-other-2") { csv.append(line) }
        #expect(csv.first?.hasPrefix("position,stream,version") == true)
        #expect(csv.count >= 2)
        let report = try await system.report()
        #expect(report.byState["completed"] == 1 && report.byState["killed"] == 1)
        let metrics = try await system.metrics()
        #expect(metrics.contains("# TYPE"))
        #expect(await server.stop() == 0)
    }

    /// The client percent-encodes what a path segment may not hold; the
    /// server decodes it, so the ledger sees the name the caller gave.
    @Test func namesThatNeedPercentEncodingReachTheLedgerDecoded() async throws {
        let server = try await LiveServer()
        let system = try server.client(server.systemToken)
        let admin = system.authenticated(with: try server.token("root", role: .admin))
        for name in ["a b", "50%", "x/y"] {
            do {
                _ = try await admin.job(name)
                Issue.record("job '\(name)' was found")
            } catch let problem as LedgerProblem {
                #expect(problem.detail.contains("'\(name)'"), "\(problem.detail)")
            }
            do {
                _ = try await admin.killBatch(name, reason: "test")
                Issue.record("batch '\(name)' was killed")
            } catch let problem as LedgerProblem {
                #expect(problem.status == 400 && problem.detail.contains("'\(name)'"), "\(problem.detail)")
            }
        }
    }
}
