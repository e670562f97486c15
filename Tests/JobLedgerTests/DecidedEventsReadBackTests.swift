import Foundation
import JobLedger
import Testing

/// A command hands the projection the events it decided instead of their
/// payload; that is only sound when every decided event is exactly what its
/// stored text reads back as, times included.
@Suite struct DecidedEventsReadBackTests {
    static let submitted = JobEvent.Submitted(
        id: "j1", type: "mail", owner: "alice", organisation: "acme", batch: "b1", payload: #"{"to":"ü \"x\""}"#,
        priority: 3, maxAttempts: 3)

    /// Decides `command`, checks that each event reads back as decided, and
    /// folds the events onto `job`.
    static func step(_ job: Job?, _ command: JobCommand, at now: Date, policy: RetryPolicy) throws -> Job? {
        guard case .accepted(let events, _) = JobDecider.decide(job, command, now: now, policy: policy) else {
            Issue.record("\(command) was refused")
            return job
        }
        var job = job
        for event in events {
            let stored = try PayloadCodec.encode(event)
            #expect(try PayloadCodec.decode(type: event.typeName, payload: stored) == event, "\(event)")
            #expect(try PayloadCodec.decodeGeneral(type: event.typeName, payload: stored) == event, "\(event)")
            let version = (job?.version ?? 0) + 1
            job = JobEvolver.evolve(job, event, context: EventContext(position: version, version: version, recordedAt: now))
        }
        return job
    }

    /// Clock times and leases with fractions of a millisecond, and back-offs
    /// that are no whole number of milliseconds.
    @Test(arguments: [0, 0.0004, 0.0005, 0.1234567, 0.9996])
    func everyEventTheDeciderProducesReadsBackAsItWasDecided(fraction: Double) throws {
        let policy = RetryPolicy(baseDelay: 1.2345678, maxDelay: 3600)
        var now = Date(timeIntervalSince1970: 1_800_000_000 + fraction)
        let lease = 30.0004567 + fraction
        let admin = Actor(id: "root", role: .admin, organisation: "acme")
        var job = try Self.step(nil, .submit(Self.submitted), at: now, policy: policy)
        func run(_ command: (Int) -> JobCommand) throws {
            job = try Self.step(job, command(job?.attempt ?? 0), at: now, policy: policy)
        }
        try run { _ in .claim(worker: "w1", lease: lease) }
        try run { .renewLease(worker: "w1", attempt: $0, lease: lease) }
        try run { .fail(worker: "w1", attempt: $0, error: "e", retryable: true) }
        #expect(job?.state == .pending)
        now += 10.0001
        try run { _ in .claim(worker: "w2", lease: lease) }
        now += lease + 1.00049
        try run { _ in .expireLease }
        now += 100
        try run { _ in .claim(worker: "w3", lease: lease) }
        try run { _ in .cancel(actor: admin, reason: "stop") }
        try run { .acknowledgeCancel(worker: "w3", attempt: $0) }
        try run { _ in .retry(actor: admin) }
        try run { _ in .claim(worker: "w4", lease: lease) }
        try run { .fail(worker: "w4", attempt: $0, error: "bad", retryable: false) }
        try run { _ in .retry(actor: admin) }
        try run { _ in .claim(worker: "w5", lease: lease) }
        try run { _ in .kill(actor: admin, reason: "stuck") }
        try run { _ in .retry(actor: admin) }
        try run { _ in .claim(worker: "w6", lease: lease) }
        try run { .complete(worker: "w6", attempt: $0, result: #"{"done":1}"#) }
        #expect(job?.state == .completed)
    }
}
