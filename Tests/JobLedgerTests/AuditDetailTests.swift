import EventStore
import Foundation
import JobLedger
import Testing

/// Audit entries say why a command was refused in a stable sentence, and
/// carry the request id in the one form the ledger writes ids in.
@Suite struct AuditDetailTests {
    /// The audit entries of job `id`, as stored.
    static func audits(_ jobs: JobLedger, _ id: String) throws -> [AuditEntry] {
        try jobs.history(id).compactMap(\.audit)
    }

    @Test func refusalsAreRecordedAsStableSentences() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "d", type: "t"), by: alice)
        _ = try jobs.retry("d", by: alice)  // pending: not allowed
        _ = try jobs.cancel("d", by: otherAdmin, reason: "x")  // another organisation
        let claimed = try #require(try jobs.claim(worker: "w1", lease: 30))
        _ = try? jobs.complete("d", worker: "w2", attempt: claimed.attempt)
        _ = try jobs.complete("d", worker: "w1", attempt: claimed.attempt)
        _ = try jobs.retry("d", by: alice)  // completed: not allowed
        _ = try? jobs.submit(JobSubmission(id: "d", type: "other"), by: alice)
        _ = try jobs.cancel("missing", by: alice, reason: "x")

        let details = try Self.audits(jobs, "d").compactMap(\.detail)
        #expect(details == [
            "not allowed in state pending",
            "only the owner or an admin of 'acme' may cancel",
            "attempt 1 is held by worker 'w1'",
            "not allowed in state completed",
            "job exists with type 't'",
        ])
        #expect(try Self.audits(jobs, "missing").map(\.detail) == ["no such job"])
    }

    @Test func theRequestIDIsStoredInLowerCaseLikeTheCorrelationID() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let request = UUID()
        _ = try jobs.submit(JobSubmission(id: "r", type: "t"), by: alice, requestID: request)
        let stored = try #require(try jobs.store.readStream("audit-r").first)
        #expect(stored.correlationID == request)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(stored.payload)) as? [String: Any])
        #expect(fields["requestID"] as? String == request.uuidString.lowercased())
        let encoded = try JSONEncoder().encode(try #require(try Self.audits(jobs, "r").first))
        let reencoded = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(reencoded["requestID"] as? String == request.uuidString.lowercased())
    }
}
