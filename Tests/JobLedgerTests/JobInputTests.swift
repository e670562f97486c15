import EventStore
import Foundation
import JobLedger
import Testing

@Suite struct JobInputTests {
    /// Runs `body`, expects an invalid-input error naming `field`, and checks
    /// that the ledger's log did not grow.
    static func expectInvalid(
        _ field: String, _ jobs: JobLedger, _ body: () throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try jobs.store.lastPosition()
        #expect(sourceLocation: sourceLocation) {
            try body()
        } throws: { error in
            guard let error = error as? JobLedgerError, error.code == .invalidInput else { return false }
            return error.field == field
        }
        #expect(try jobs.store.lastPosition() == before, sourceLocation: sourceLocation)
    }

    @Test func badSubmissionsAreRefusedWithTheFieldNamedAndNothingAppended() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "ok", type: "t"), by: alice)
        try Self.expectInvalid("job id", jobs) { _ = try jobs.submit(JobSubmission(id: "", type: "t"), by: alice) }
        try Self.expectInvalid("job id", jobs) { _ = try jobs.submit(JobSubmission(id: "has space", type: "t"), by: alice) }
        try Self.expectInvalid("job id", jobs) {
            _ = try jobs.submit(JobSubmission(id: String(repeating: "x", count: 129), type: "t"), by: alice)
        }
        try Self.expectInvalid("type", jobs) { _ = try jobs.submit(JobSubmission(id: "a", type: ""), by: alice) }
        try Self.expectInvalid("payload", jobs) {
            _ = try jobs.submit(JobSubmission(id: "a", type: "t", payload: "{not json"), by: alice)
        }
        try Self.expectInvalid("payload", jobs) {
            let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
            _ = try jobs.submit(JobSubmission(id: "a", type: "t", payload: deep), by: alice)
        }
        try Self.expectInvalid("maxAttempts", jobs) {
            _ = try jobs.submit(JobSubmission(id: "a", type: "t", maxAttempts: 0), by: alice)
        }
        try Self.expectInvalid("batch", jobs) {
            _ = try jobs.submit(JobSubmission(id: "a", type: "t", batch: "bad batch"), by: alice)
        }
        #expect(try jobs.job("a") == nil)
    }

    @Test func negativeOrZeroLeasesAreRefused() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "j", type: "t"), by: alice)
        try Self.expectInvalid("lease", jobs) { _ = try jobs.claim(worker: "w", lease: -1) }
        try Self.expectInvalid("lease", jobs) { _ = try jobs.claim(worker: "w", lease: 0) }
        try Self.expectInvalid("lease", jobs) { _ = try jobs.claim(worker: "w", lease: .nan) }
        let job = try #require(try jobs.claim(worker: "w", lease: 5))
        try Self.expectInvalid("lease", jobs) { _ = try jobs.renewLease("j", worker: "w", attempt: job.attempt, lease: -5) }
        try Self.expectInvalid("result", jobs) { _ = try jobs.complete("j", worker: "w", attempt: job.attempt, result: "{") }
        #expect(try jobs.job("j")?.state == .running)
    }

    @Test func unknownStateNamesAreRefusedNamingTheKnownOnes() throws {
        #expect(try JobState.parse("cancelRequested") == .cancelRequested)
        #expect(try JobState.parse("cancel_requested") == .cancelRequested)
        #expect {
            try JobState.parse("processing")
        } throws: { error in
            guard let error = error as? JobLedgerError, error.code == .invalidInput, error.field == "state",
                  let reason = error.reason else { return false }
            return reason.contains("processing") && reason.contains("pending")
        }
    }
}
