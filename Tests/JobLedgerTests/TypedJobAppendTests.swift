import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// Commands hand the projection the events they decided, and answer with
/// the job the projection folded; rebuilds and verifications still read the
/// stored bytes.
@Suite struct TypedJobAppendTests {
    /// A ledger on a test clock holding the pending job `j1`.
    static func ledgerWithOneJob() throws -> (TemporaryJobLedger, TestClock, JobLedger) {
        let temporary = TemporaryJobLedger()
        let clock = TestClock()
        let ledger = try temporary.open(clock: clock)
        _ = try ledger.submit(JobSubmission(id: "j1", type: "t"), by: alice)
        return (temporary, clock, ledger)
    }

    @Test func theProjectionFoldsTheTypedEventWhileRebuildAndVerifyReadTheBytes() throws {
        let (temporary, clock, ledger) = try Self.ledgerWithOneJob()
        defer { withExtendedLifetime(temporary) {} }
        // Two events that differ only in the worker: one stored, one handed along.
        let lease = clock.current + 60
        let stored = JobEvent.claimed(.init(worker: "from-bytes", attempt: 1, leaseUntil: lease))
        let typed = JobEvent.claimed(.init(worker: "from-value", attempt: 1, leaseUntil: lease))
        let result = try ledger.store.append(
            to: JobStreams.job("j1"), expectedVersion: .exact(1),
            events: [EventData(type: stored.typeName, payload: try PayloadCodec.encode(stored), decoded: typed)])

        #expect(try ledger.job("j1")?.worker == "from-value")
        #expect((result.streams[0].projected as? Job)?.worker == "from-value")
        #expect(try ledger.verifyProjections().isEmpty == false, "verify replays the stored bytes")
        _ = try ledger.rebuildProjections()
        #expect(try ledger.job("j1")?.worker == "from-bytes")
        #expect(try ledger.verifyProjections() == [])
    }

    @Test func anEventWithoutATypedValueIsDecodedFromItsPayload() throws {
        let (temporary, clock, ledger) = try Self.ledgerWithOneJob()
        defer { withExtendedLifetime(temporary) {} }
        let stored = JobEvent.claimed(.init(worker: "w1", attempt: 1, leaseUntil: clock.current + 60))
        _ = try ledger.store.append(
            to: JobStreams.job("j1"), expectedVersion: .exact(1),
            events: [EventData(type: stored.typeName, payload: try PayloadCodec.encode(stored))])
        #expect(try ledger.job("j1")?.worker == "w1")
        #expect(try ledger.verifyProjections() == [])
    }

    /// Renews the lease of a job once, from inside the next command's
    /// reading of the clock: after that command read the job and before it
    /// appends.
    final class RenewalBetweenReadAndAppend: Sendable {
        let clock = TestClock()
        private let pending = Mutex<(ledger: JobLedger, jobID: String, worker: String)?>(nil)

        func arm(_ ledger: JobLedger, _ jobID: String, worker: String) {
            pending.withLock { $0 = (ledger, jobID, worker) }
        }

        func now() -> Date {
            let renewal = pending.withLock { pending in
                defer { pending = nil }
                return pending
            }
            if let renewal, let job = try? renewal.ledger.job(renewal.jobID) {
                clock.advance(0.0017)
                _ = try? renewal.ledger.renewLease(renewal.jobID, worker: renewal.worker, attempt: job.attempt, lease: 90.5)
            }
            return clock.current
        }
    }

    @Test func answersEqualAFreshReadAlsoWhenRenewalsLandBetweenReadAndAppend() throws {
        let temporary = TemporaryJobLedger()
        let renewal = RenewalBetweenReadAndAppend()
        let ledger = try temporary.open { options in options.clock = { renewal.now() } }
        let admin = Actor(id: "root", role: .admin, organisation: "acme")

        let submitted = try ledger.submit(JobSubmission(id: "j1", type: "t"), by: alice)
        #expect(submitted.job == (try ledger.job("j1")))
        let claimed = try #require(try ledger.claim(worker: "w1", lease: 30.25))
        #expect(claimed == (try ledger.job("j1")))

        renewal.arm(ledger, "j1", worker: "w1")
        let cancel = try ledger.cancel("j1", by: alice, reason: "no longer needed")
        #expect(cancel.outcome == .cancelRequested)
        #expect(cancel.job?.version == claimed.version + 2, "the renewal landed between the read and the append")
        #expect(cancel.job == (try ledger.job("j1")))

        _ = try ledger.submit(JobSubmission(id: "j2", type: "t"), by: alice)
        let second = try #require(try ledger.claim(worker: "w2", lease: 30.25))
        renewal.arm(ledger, second.id, worker: "w2")
        let kill = try ledger.kill(second.id, by: admin, reason: "stuck")
        #expect(kill.job?.version == second.version + 2)
        #expect(kill.job == (try ledger.job(second.id)))

        // A command that does not commute with renewals decides again and
        // answers with the job as of its own append.
        _ = try ledger.submit(JobSubmission(id: "j3", type: "t"), by: alice)
        let third = try #require(try ledger.claim(worker: "w3", lease: 30.25))
        renewal.arm(ledger, third.id, worker: "w3")
        let completed = try ledger.complete(third.id, worker: "w3", attempt: third.attempt, result: #"{"ok":true}"#)
        #expect(completed == (try ledger.job(third.id)))
        #expect(completed.state == .completed)
    }
}
