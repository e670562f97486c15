import EventStore
import Foundation
import Synchronization
@testable import JobLedger
import Testing

/// Settings per job type: a limit on jobs running at once across every
/// worker, and a pause, each change recorded with its actor.
@Suite struct QueueLimitTests {
    /// The most jobs of `type` the log ever shows running at once, from the
    /// job events in log order.
    static func mostRunningAtOnce(_ jobs: JobLedger, type: String) throws -> Int {
        var typeOf: [String: String] = [:]
        var running = Set<String>()
        var most = 0
        try jobs.store.forEachEvent(filter: EventFilter(streamPrefix: JobStreams.jobPrefix)) { event in
            let id = String(event.streamID.dropFirst(JobStreams.jobPrefix.count))
            switch try JobEvent.decode(type: event.type, payload: event.payload) {
            case .submitted(let data)?: typeOf[id] = data.type
            case .claimed?: if typeOf[id] == type { running.insert(id) }
            case .completed?, .failed?, .attemptFailed?, .cancelled?, .killed?, .leaseExpired?, .timedOut?:
                running.remove(id)
            default: break
            }
            most = max(most, running.count)
            return true
        }
        return most
    }

    @Test func sixteenWorkerThreadsNeverRunMoreThanTheLimitOfThreeAtOnce() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        try jobs.setConcurrencyLimit(3, forType: "render", by: acmeAdmin, reason: "the GPU takes three")
        let count = TestBackend.current == .postgres ? 60 : 240
        for index in 0..<count { _ = try jobs.submit(JobSubmission(id: "r\(index)", type: "render"), by: alice) }
        let holding = HeldAtOnce()
        let outcome = ClaimingThreads.run(
            jobs, threads: 16, type: "render", until: count, idleMicros: TestBackend.current == .postgres ? 3000 : 300,
            retryingConflicts: true
        ) { _, _ in
            // Each worker holds its job until three have been held at once
            // (or ten seconds pass), so that a loaded machine cannot keep
            // the limit from being filled and the check below is not
            // vacuous; then long enough for other workers to claim
            // meanwhile (on PostgreSQL, whose transactions are slower,
            // longer still).
            holding.state.withLock { $0.held += 1; if $0.held >= 3 { $0.filled = true } }
            defer { holding.state.withLock { $0.held -= 1 } }
            let giveUp = Date().addingTimeInterval(10)
            while !holding.state.withLock({ $0.filled }) && Date() < giveUp { usleep(2000) }
            usleep(TestBackend.current == .postgres ? UInt32.random(in: 100_000...150_000) : UInt32.random(in: 2000...8000))
        }
        #expect(outcome.finished)
        #expect(outcome.failures == [])
        #expect(Set(outcome.completed).count == count)
        let most = try Self.mostRunningAtOnce(jobs, type: "render")
        #expect(most <= 3)
        #expect(most == 3, "the workers never filled the limit: the test proves nothing")
    }

    @Test func aFullTypeWaitsUntilASlotIsFreedAndOtherTypesAreClaimedMeanwhile() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        try jobs.setConcurrencyLimit(1, forType: "export", by: .system)
        for index in 0..<30 { _ = try jobs.submit(JobSubmission(id: "e\(index)", type: "export", priority: 5), by: alice) }
        _ = try jobs.submit(JobSubmission(id: "mail-1", type: "mail"), by: alice)
        let first = try #require(try jobs.claim(worker: "w1", lease: 30))
        #expect(first.id == "e0")
        // Thirty export jobs wait ahead, but the type is full: the claim
        // passes over them to the mail job.
        #expect(try jobs.claim(worker: "w2", lease: 30)?.id == "mail-1")
        #expect(try jobs.claim(worker: "w2", lease: 30) == nil)
        #expect(try !jobs.hasClaimableJob())
        _ = try jobs.complete("e0", worker: "w1", attempt: 1)
        #expect(try jobs.claim(worker: "w2", lease: 30)?.id == "e1")
        try jobs.setConcurrencyLimit(nil, forType: "export", by: .system)
        #expect(try jobs.claim(worker: "w3", lease: 30)?.id == "e2")
    }

    @Test func aPausedTypeIsNotClaimedUntilResumedAndEachChangeNamesItsActor() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try await jobs.submit(JobSubmission(id: "m1", type: "mail"), by: alice)
        let paused = try await jobs.pauseQueue("mail", by: acmeAdmin, reason: "smtp down")
        #expect(paused == QueueSettings(concurrency: nil, paused: true))
        #expect(try await jobs.claim(worker: "w1", lease: 30) == nil)
        #expect(try jobs.queueSettings("mail").paused)
        try await jobs.resumeQueue("mail", by: acmeAdmin)
        #expect(try await jobs.claim(worker: "w1", lease: 30)?.id == "m1")
        let stream = try jobs.store.readStream("queue-mail")
        #expect(stream.map(\.type) == ["QueueSettingsChanged", "QueueSettingsChanged"])
        #expect(stream.map(\.actor) == ["root", "root"])
        #expect(String(decoding: stream[0].payload, as: UTF8.self).contains(#""reason":"smtp down""#))
    }

    @Test func onlyAdminsAndTheSystemChangeTheSettingsAndBadLimitsAreRefused() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        #expect { try jobs.pauseQueue("mail", by: alice, reason: "mine") } throws: { error in
            (error as? JobLedgerError)?.code == .forbidden
        }
        for bad in [0, -1, JobLimits.maxConcurrencyLimit + 1] {
            #expect { try jobs.setConcurrencyLimit(bad, forType: "mail", by: acmeAdmin) } throws: { error in
                (error as? JobLedgerError)?.code == .invalidInput && "\(error)".contains("concurrency")
            }
        }
        #expect(try jobs.store.streamVersion("queue-mail") == 0)
        #expect(try jobs.queueSettings("mail") == QueueSettings())
    }

    @Test func everyClaimOfALimitedTypeIsRecordedInItsQueueStream() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        try jobs.setConcurrencyLimit(2, forType: "t", by: .system)
        _ = try jobs.submit(JobSubmission(id: "a", type: "t"), by: alice)
        _ = try jobs.submit(JobSubmission(id: "free", type: "u"), by: alice)
        let claimed = try #require(try jobs.claim(worker: "w1", types: ["t"], lease: 30))
        _ = try #require(try jobs.claim(worker: "w1", types: ["u"], lease: 30))
        let stream = try jobs.store.readStream("queue-t")
        #expect(stream.map(\.type) == ["QueueSettingsChanged", "QueueSlotTaken"])
        #expect(String(decoding: stream[1].payload, as: UTF8.self).contains(#""job":"\#(claimed.id)""#))
        #expect(try jobs.store.streamVersion("queue-u") == 0)
        #expect(try jobs.verifyProjections().isEmpty)
    }
}

/// A rate limit per job type: so many claims in any window of a period.
@Suite struct QueueRateLimitTests {
    @Test func sixteenWorkerThreadsNeverClaimMoreThanAHundredInAnyOneSecondWindow() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        try jobs.setRateLimit(100, per: 1, forType: "mail", by: acmeAdmin, reason: "the provider allows 100/s")
        let count = 250
        for index in 0..<count { _ = try jobs.submit(JobSubmission(id: "m\(index)", type: "mail"), by: alice) }
        // (250 claims at 100 a second take at least two and a half seconds.)
        let outcome = ClaimingThreads.run(jobs, threads: 16, type: "mail", until: count, idleMicros: 1000, retryingConflicts: true)
        #expect(outcome.finished)
        #expect(outcome.failures == [])
        #expect(Set(outcome.completed).count == count)
        // From the log: the claims' times, and every run of 101 claims
        // spans at least a second. A window is half open (a claim exactly
        // one period before counts no more), so no window of one second
        // holds more than 100.
        var times: [Date] = []
        try jobs.store.forEachEvent(filter: EventFilter(streamPrefix: JobStreams.jobPrefix)) { event in
            if event.type == "JobClaimed" { times.append(event.recordedAt) }
            return true
        }
        #expect(times.count == count)
        times.sort()
        for index in 0..<(times.count - 100) {
            #expect(times[index + 100].timeIntervalSince(times[index]) >= 1, "claims \(index) to \(index + 100)")
        }
    }

    @Test func aRateLimitedTypeWaitsForItsWindowOnTheLedgerClock() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        try jobs.setRateLimit(2, per: 10, forType: "t", by: .system)
        for index in 0..<5 { _ = try jobs.submit(JobSubmission(id: "j\(index)", type: "t"), by: alice) }
        #expect(try jobs.claim(worker: "w", lease: 30)?.id == "j0")
        clock.advance(4)
        #expect(try jobs.claim(worker: "w", lease: 30)?.id == "j1")
        #expect(try jobs.claim(worker: "w", lease: 30) == nil)
        clock.advance(6)  // the first claim is 10 s old: out of the window
        #expect(try jobs.claim(worker: "w", lease: 30)?.id == "j2")
        #expect(try jobs.claim(worker: "w", lease: 30) == nil)
        try jobs.setRateLimit(nil, forType: "t", by: .system)
        #expect(try jobs.claim(worker: "w", lease: 30)?.id == "j3")
        #expect(try jobs.queueSettings("t") == QueueSettings())
    }
}

/// How many claimed jobs the workers' bodies hold at once, and whether the
/// limit has ever been reached.
private final class HeldAtOnce: Sendable {
    let state = Mutex((held: 0, filled: false))
}
