import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

@Suite("Erasure route")
struct ErasureRouteTests {
    @Test("personal fields submitted over HTTP read back as given, and as erased after an admin's erasure")
    func submitThenErase() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let created = try await client.call(
                .post, "/v1/jobs", token: fixture.user,
                body: #"{"id":"p1","type":"email","payload":{"email":"ann@example.com","n":1},"personal":["email"]}"#)
            #expect(created.status == 201)
            #expect((created.job["payload"] as? [String: Any])?["email"] as? String == "ann@example.com")
            let stored = try fixture.ledger.store.readStream(JobStreams.job("p1")).map(\.payloadString).joined()
            #expect(!stored.contains("ann@example.com"))

            let refused = try await client.call(.post, "/v1/erasures", token: fixture.user, body: #"{"owner":"alice","org":"acme"}"#)
            #expect(refused.status == 403)
            let otherOrg = try await client.call(
                .post, "/v1/erasures", token: fixture.otherOrgUser, body: #"{"owner":"alice","org":"acme"}"#)
            #expect(otherOrg.status == 403)
            let stillThere = try await client.call(.get, "/v1/jobs/p1", token: fixture.user)
            #expect((stillThere.json["payload"] as? [String: Any])?["email"] as? String == "ann@example.com")

            let erased = try await client.call(
                .post, "/v1/erasures", token: fixture.admin, body: #"{"owner":"alice","org":"acme","reason":"request 9"}"#)
            #expect(erased.status == 200)
            #expect(erased.json["outcome"] as? String == "erased")
            let got = try await client.call(.get, "/v1/jobs/p1", token: fixture.user)
            let payload = try #require(got.json["payload"] as? [String: Any])
            #expect((payload["email"] as? [String: Any])?["$erased"] as? Bool == true)
            #expect(payload["n"] as? Int == 1)
            let again = try await client.call(.post, "/v1/erasures", token: fixture.system, body: #"{"owner":"alice","org":"acme"}"#)
            #expect(again.json["outcome"] as? String == "already_erased")

            // The audit record names the admin from the token, not from the body.
            let audit = try #require(try fixture.ledger.store.readStream(ErasureRecord.stream).first)
            let record = try JSONDecoder().decode(ErasureRecord.self, from: Data(audit.payload))
            #expect(record.actor == "root" && record.role == .admin && record.reason == "request 9")
            let unknownField = try await client.call(
                .post, "/v1/erasures", token: fixture.admin, body: #"{"owner":"alice","org":"acme","actor":"someone"}"#)
            #expect(unknownField.status == 400)
        }
    }
}
