import EventStore
import Foundation
import Hummingbird
import JobLedger
import JobLedgerServer
import Testing

/// A problem made from a ledger error names the error's code, and the
/// store's for a store failure, beside the kind the status stands for.
@Suite struct ProblemCodeTests {
    @Test func aLedgerRefusalNamesItsCode() {
        let problem = Problem(JobLedgerError.notLeaseHolder(jobID: "j", worker: "w", attempt: 1, holder: nil, currentAttempt: 2))
        #expect(problem.kind == .notAllowed)
        #expect(problem.errorCode == "not_lease_holder")
        #expect(problem.storeErrorCode == nil)
        #expect(problem.jobID == "j")
    }

    @Test func aStoreFailureNamesTheStoreCodeToo() {
        let busy = Problem(JobLedgerError.store(.readersFull(max: 2)))
        #expect(busy.kind == .busy && busy.retryAfter == 1)
        #expect(busy.errorCode == "store" && busy.storeErrorCode == "readers_full")
        let closed = Problem(JobLedgerError.store(.closed))
        #expect(closed.kind == .unavailable && closed.storeErrorCode == "closed")
        let unreadable = Problem(JobLedgerError.unreadableData(jobID: "j", reason: "r"))
        #expect(unreadable.kind == .internal && unreadable.errorCode == "unreadable_data" && unreadable.storeErrorCode == nil)
    }

    @Test func theProblemDocumentCarriesTheCodes() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            _ = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"email"}"#)
            let conflicting = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"sms"}"#)
            #expect(conflicting.status == 409)
            #expect(conflicting.json["errorCode"] as? String == "conflicting_submission")
            #expect(conflicting.json["storeErrorCode"] == nil)
        }
    }
}
