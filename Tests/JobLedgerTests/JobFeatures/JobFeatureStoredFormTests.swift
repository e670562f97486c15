import EventStore
import Foundation
@testable import JobLedger
import Testing

/// The stored forms of what scheduling, timeouts and dependencies add: a job
/// that uses none of them is stored byte for byte as before, and logs
/// written before them still read.
@Suite struct JobFeatureStoredFormTests {
    static let plain = JobEvent.Submitted(
        id: "a", type: "t", owner: "alice", organisation: "acme", payload: "{}", priority: 0, maxAttempts: 3)

    @Test func aSubmissionWithoutTheNewFieldsIsStoredExactlyAsBefore() throws {
        let text = String(decoding: try JobEvent.submitted(Self.plain).encodedPayload(), as: UTF8.self)
        #expect(text == #"{"id":"a","maxAttempts":3,"organisation":"acme","owner":"alice","payload":"{}","priority":0,"type":"t"}"#)
    }

    @Test func theNewFieldsAreStoredInSortedOrderAndReadBack() throws {
        var submitted = Self.plain
        submitted.runAt = Date(timeIntervalSince1970: 1_800_000_000.25)
        submitted.timeoutMillis = 1500
        submitted.after = ["x", "y"]
        let payload = try JobEvent.submitted(submitted).encodedPayload()
        #expect(String(decoding: payload, as: UTF8.self) == #"{"after":["x","y"],"id":"a","maxAttempts":3,"organisation":"acme","owner":"alice","payload":"{}","priority":0,"runAt":"2027-01-15T08:00:00.250Z","timeoutMillis":1500,"type":"t"}"#)
        #expect(try JobEvent.decode(type: "JobSubmitted", payload: payload) == .submitted(submitted))
        // Without the array, the flat fast path reads the rest.
        submitted.after = nil
        let flat = try JobEvent.submitted(submitted).encodedPayload()
        #expect(FlatJSONObject(parsing: flat) != nil)
        #expect(try JobEvent.decode(type: "JobSubmitted", payload: flat) == .submitted(submitted))
    }

    @Test func anOldLogWithoutTheNewFieldsReadsIntoJobsWithoutThem() throws {
        let ledger = TemporaryJobLedger()
        do {
            let store = try ledger.openPlainStore()
            let submitted = #"{"id":"old","type":"t","owner":"alice","organisation":"acme","batch":null,"#
                + #""payload":"{}","priority":0,"maxAttempts":3}"#
            _ = try store.append(to: "job-old", expectedVersion: .noStream, events: [EventData(type: "JobSubmitted", json: submitted)])
        }
        let jobs = try ledger.open()
        let job = try #require(try jobs.job("old"))
        #expect(job.runAt == nil && job.timeout == nil && job.deadline == nil)
        #expect(job.dependencies.isEmpty && job.waitingFor.isEmpty)
        #expect(try jobs.claim(worker: "w1", lease: 30)?.id == "old")
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aJobRecordWithoutTheNewFieldsKeepsTheFirstFormatAndOneWithThemReadsBack() throws {
        var job = try #require(JobEvolver.evolve(
            nil, .submitted(Self.plain), context: EventContext(position: 1, version: 1, recordedAt: Date(timeIntervalSince1970: 1_800_000_000))))
        let first = try JobRecord.encode(job)
        #expect(first.first == 1)
        #expect(try JobRecord.decode(first) == job)
        job.runAt = Date(timeIntervalSince1970: 1_800_000_100)
        job.timeout = 2.5
        job.deadline = Date(timeIntervalSince1970: 1_800_000_102.5)
        job.timedOutAttempt = 1
        job.dependencies = ["x", "y"]
        job.waitingFor = ["y"]
        let second = try JobRecord.encode(job)
        #expect(second.first == 2)
        #expect(try JobRecord.decode(second) == job)
        #expect(throws: (any Error).self) { try JobRecord.decode(Array(second.dropLast(3))) }
    }

    @Test func theNewEventKindsHaveStableStoredForms() throws {
        let timedOut = JobEvent.timedOut(.init(
            worker: "w1", attempt: 2, nextState: .pending, retryAt: Date(timeIntervalSince1970: 1_800_000_000), timeoutMillis: 30_000))
        let timedOutText = #"{"attempt":2,"nextState":"pending","retryAt":"2027-01-15T08:00:00.000Z","timeoutMillis":30000,"worker":"w1"}"#
        #expect(try String(decoding: timedOut.encodedPayload(), as: UTF8.self) == timedOutText)
        #expect(try JobEvent.decode(type: "JobTimedOut", payload: Array(timedOutText.utf8)) == timedOut)
        let met = JobEvent.dependencyMet(.init(dependency: "x"))
        #expect(try String(decoding: met.encodedPayload(), as: UTF8.self) == #"{"dependency":"x"}"#)
        #expect(try JobEvent.decode(type: "DependencyMet", payload: Array(#"{"dependency":"x"}"#.utf8)) == met)
    }
}
