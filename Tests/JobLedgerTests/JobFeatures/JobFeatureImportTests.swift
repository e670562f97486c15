import EventStore
import Foundation
@testable import JobLedger
import Testing

/// A ledger that used scheduling, timeouts, dependencies, tags and type
/// settings exports and imports whole: the import's checks accept every
/// new event and stream, and the restored projection is the same.
@Suite struct JobFeatureImportTests {
    @Test func aHistoryWithEveryNewFeatureRestoresWithTheSameProjection() throws {
        let source = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try source.open(clock: clock)
        try jobs.setConcurrencyLimit(2, forType: "t", by: .system)
        try jobs.setRateLimit(100, per: 1, forType: "t", by: .system)
        try jobs.pauseQueue("u", by: acmeAdmin, reason: "maintenance")
        _ = try jobs.submit(JobSubmission(id: "a", type: "t", timeout: 5, tags: ["x"]), by: alice)
        _ = try jobs.submit(JobSubmission(id: "b", type: "t", after: ["a"]), by: alice)
        _ = try jobs.submit(JobSubmission(id: "c", type: "t", after: ["b"]), by: alice)
        _ = try jobs.submit(JobSubmission(id: "later", type: "t", delay: 600), by: alice)
        _ = try #require(try jobs.claim(worker: "w1", lease: 60))
        clock.advance(5)
        #expect(try jobs.expireLeases() == ["a"])  // timed out, back to pending
        clock.advance(10)
        let again = try #require(try jobs.claim(worker: "w1", lease: 60))
        #expect(again.id == "a")
        _ = try jobs.complete("a", worker: "w1", attempt: again.attempt)
        let b = try #require(try jobs.claim(worker: "w1", lease: 60))
        _ = try jobs.fail(b.id, worker: "w1", attempt: b.attempt, error: "bad", retryable: false)
        #expect(try jobs.job("c")?.state == .cancelled)
        var text = ""
        try jobs.store.exportEvents(to: &text)

        let target = TemporaryJobLedger()
        let restored = try target.open()
        let report = try restored.importEvents(jsonLines: Data(text.utf8))
        #expect(report.imported > 0)
        var back = ""
        try restored.store.exportEvents(to: &back)
        #expect(back == text)
        #expect(try restored.verifyProjections().isEmpty)
        for id in ["a", "b", "c", "later"] { #expect(try restored.job(id) == jobs.job(id), "\(id)") }
        #expect(try restored.queueSettings("t") == QueueSettings(concurrency: 2, rate: 100, ratePeriod: 1))
        #expect(try restored.queueSettings("u").paused)
    }
}
