import EventStore
import Foundation
@testable import JobLedger
import Testing

/// The list of event kinds and the shortcuts taken through it.
@Suite struct JobEventKindTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000.123)
    static let stop = JobEvent.Stop(actor: "root", reason: "why")

    /// One event of every case, with the stored type name it must carry.
    static let samples: [(JobEvent, String)] = [
        (.submitted(.init(id: "j", type: "t", owner: "o", organisation: "g", payload: "{}", priority: 0, maxAttempts: 1)), "JobSubmitted"),
        (.claimed(.init(worker: "w", attempt: 1, leaseUntil: at)), "JobClaimed"),
        (.leaseRenewed(.init(worker: "w", attempt: 1, leaseUntil: at)), "LeaseRenewed"),
        (.completed(.init(worker: "w", attempt: 1)), "JobCompleted"),
        (.attemptFailed(.init(worker: "w", attempt: 1, error: "e", retryAt: at)), "AttemptFailed"),
        (.failed(.init(worker: "w", attempt: 1, error: "e", retryable: false)), "JobFailed"),
        (.cancelRequested(stop), "CancelRequested"),
        (.cancelled(stop), "JobCancelled"),
        (.killed(stop), "JobKilled"),
        (.leaseExpired(.init(worker: "w", attempt: 1, nextState: .pending, retryAt: at)), "LeaseExpired"),
        (.retried(.init(actor: "root")), "JobRetried"),
        (.timedOut(.init(worker: "w", attempt: 1, nextState: .failed, timeoutMillis: 1500)), "JobTimedOut"),
        (.dependencyMet(.init(dependency: "j0")), "DependencyMet"),
        (.archived(.init(
            archive: "a.jsonl", archiveDigest: "00", archivedEvents: 3, state: .completed, endedBy: "JobCompleted",
            endedAt: 5, record: "")), "JobArchived"),
    ]

    @Test("each case finds its own line of the list of kinds")
    func everyCaseFindsItsOwnKind() throws {
        #expect(Self.samples.count == JobEventKind.all.count)
        for (event, name) in Self.samples {
            let kind = JobEventKind.of(event)
            #expect(kind.typeName == name)
            #expect(kind.matches(event), "\(name) is found at the line of another kind")
            #expect(event.typeName == name)
        }
    }

    @Test("rounding an instant gives what its stored text reads back as")
    func roundingMatchesTheStoredText() throws {
        var generator = SystemRandomNumberGenerator()
        let edges: [Double] = [0, 0.0004999, 0.0005, 0.0005001, 0.9995, 0.9999999, -0.0005, -0.0004999]
        var seconds = edges.map { 1_800_000_000 + $0 } + edges.map { -1_000_000 + $0 }
        for _ in 0..<20_000 {
            seconds.append(Double.random(in: -62_000_000_000...250_000_000_000, using: &generator))
        }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            guard LedgerInstant.isAccepted(date) else { continue }
            let event = JobEvent.claimed(.init(worker: "w", attempt: 1, leaseUntil: date))
            let readBack = try #require(LedgerInstant.date(from: UTCTimestamp.text(date)))
            #expect(event.asStored == .claimed(.init(worker: "w", attempt: 1, leaseUntil: readBack)), "\(value)")
        }
    }
}
