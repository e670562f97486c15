import EventStore
import Foundation
import JobLedger
import Testing

/// Schema versions of job events: `JobFailed` is at version 2 (the cause of
/// the failure in place of version 1's `retryable`). Events written in
/// version 1 keep their bytes and read in the current shape everywhere; a
/// version newer than the build knows is refused, naming the event.
@Suite struct EventSchemaVersionTests {
    static let versionOneFailed = #"{"attempt":1,"error":"disk full","retryable":true,"worker":"w1"}"#

    @Test func aFailureIsStoredWithItsSchemaVersionFirstAndOtherEventsWithout() throws {
        let ledger = TemporaryJobLedger()
        do {
            let jobs = try ledger.open()
            _ = try jobs.submit(JobSubmission(id: "j", type: "t"), by: alice)
            _ = try #require(try jobs.claim(worker: "w1", lease: 30))
            _ = try jobs.fail("j", worker: "w1", attempt: 1, error: "no such file", retryable: false)
        }
        let events = try ledger.openPlainStore().readStream(JobStreams.job("j"))
        #expect(events.map(\.type) == ["JobSubmitted", "JobClaimed", "JobFailed"])
        #expect(events[2].payloadString == #"{"$version":2,"attempt":1,"cause":"notRetryable","error":"no such file","worker":"w1"}"#)
        #expect(!events[0].payloadString.contains("$version") && !events[1].payloadString.contains("$version"))
    }

    @Test(arguments: [(true, JobEvent.FailureCause.attemptsExhausted), (false, .notRetryable)])
    func aVersionOneFailureReadsInTheCurrentShapeOnBothDecoders(retryable: Bool, cause: JobEvent.FailureCause) throws {
        let payload = Array(#"{"attempt":2,"error":"e","retryable":\#(retryable),"worker":"w1"}"#.utf8)
        let expected = JobEvent.failed(.init(worker: "w1", attempt: 2, error: "e", cause: cause))
        #expect(try PayloadCodec.decode(type: "JobFailed", payload: payload) == expected)
        #expect(try PayloadCodec.decodeGeneral(type: "JobFailed", payload: payload) == expected)
        // The flat reader alone reads only the current shape.
        #expect(PayloadCodec.decodeFlat(type: "JobFailed", payload: payload) == nil)
        let current = try PayloadCodec.encode(expected)
        #expect(PayloadCodec.decodeFlat(type: "JobFailed", payload: current) == expected)
        #expect(try PayloadCodec.decodeGeneral(type: "JobFailed", payload: current) == expected)
    }

    @Test func aVersionOneFailureWithoutItsFlagIsRefusedNamingWhatIsMissing() throws {
        let payload = Array(#"{"attempt":2,"error":"e","worker":"w1"}"#.utf8)
        #expect {
            _ = try PayloadCodec.decode(type: "JobFailed", payload: payload)
        } throws: { error in
            "\(error)".contains("schema version 1") && "\(error)".contains("'retryable' is missing")
        }
    }

    @Test func aLedgerHoldingVersionOneFailuresReadsThemInTheCurrentShapeEverywhere() throws {
        let ledger = TemporaryJobLedger()
        let stored: [UInt8]
        do {
            let store = try ledger.openPlainStore()
            try Self.appendVersionOneHistory(of: "old", to: store)
            stored = try store.readStream(JobStreams.job("old"))[2].payload
        }
        #expect(stored == Array(Self.versionOneFailed.utf8))
        let jobs = try ledger.open()
        // Projections (rebuilt on open), the job's state and replay.
        let job = try #require(try jobs.job("old"))
        #expect(job.state == .failed && job.error == "disk full")
        #expect(try jobs.job("old", asOfPosition: 3)?.state == .failed)
        #expect(try jobs.verifyProjections().isEmpty)
        // History shows the current shape.
        let history = try jobs.history("old")
        let failure = try #require(history.last { $0.type == "JobFailed" })
        #expect(failure.data == #"{"attempt":1,"cause":"attemptsExhausted","error":"disk full","worker":"w1"}"#)
        // The decider reads it too: the failed job can be retried.
        #expect(try jobs.retry("old", by: alice).job?.state == .pending)
        // The stored bytes are as written, and the log still verifies.
        let again = try ledger.openPlainStore().readStream(JobStreams.job("old"))[2]
        #expect(again.payload == stored)
        #expect(try jobs.store.verifyLog().isClean)
    }

    @Test func anEventOfANewerSchemaVersionIsRefusedNamingItsPositionTypeAndVersion() throws {
        let ledger = TemporaryJobLedger()
        do {
            let store = try ledger.openPlainStore()
            try Self.appendVersionOneHistory(
                of: "new", to: store, failure: #"{"$version":3,"attempt":1,"cause":"cosmicRay","error":"e","worker":"w1"}"#)
        }
        #expect {
            let jobs = try ledger.open()
            _ = try jobs.history("new")
        } throws: { error in
            let text = "\(error)"
            return text.contains("event at position 3 (JobFailed) was written in schema version 3, newer than version 2")
        }
    }

    /// Writes a job's submission, claim and failure (version 1 unless
    /// `failure` says otherwise) as a program of the first schema did.
    static func appendVersionOneHistory(of id: String, to store: any EventStorage, failure: String = versionOneFailed) throws {
        let submitted = JobEvent.submitted(
            .init(id: id, type: "t", owner: "alice", organisation: "acme", payload: "{}", priority: 0, maxAttempts: 1))
        let claimed = JobEvent.claimed(.init(worker: "w1", attempt: 1, leaseUntil: Date(timeIntervalSince1970: 1_800_000_030)))
        func text(_ event: JobEvent) throws -> String { String(decoding: try PayloadCodec.encode(event), as: UTF8.self) }
        _ = try store.append([StreamAppend(streamID: JobStreams.job(id), expectedVersion: .noStream, events: [
            EventData(type: "JobSubmitted", json: try text(submitted), actor: "alice"),
            EventData(type: "JobClaimed", json: try text(claimed), actor: "w1"),
            EventData(type: "JobFailed", json: failure, actor: "w1"),
        ])])
    }
}
