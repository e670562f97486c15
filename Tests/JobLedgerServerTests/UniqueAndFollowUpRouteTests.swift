import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

/// Unique keys and batch follow-ups over HTTP, and the audit of a refused
/// change of a type's settings.
@Suite("Unique and follow-up routes")
struct UniqueAndFollowUpRouteTests {
    @Test("a submit with a held unique key answers 200 with the holder and duplicate: true; bad keys are 400")
    func uniqueKeys() async throws {
        let fixture = try ServerFixture()
        let carol = try fixture.ledger.issueToken(for: Actor(id: "carol", role: .user, organisation: "acme")).text
        try await fixture.withClient { client in
            let body = #"{"id":"%@","type":"report","unique":{"key":"december","window":3600}}"#
            let first = try await client.call(.post, "/v1/jobs", token: fixture.user, body: body.replacingOccurrences(of: "%@", with: "one"))
            #expect(first.status == 201)
            #expect(first.json["duplicate"] == nil)
            let second = try await client.call(.post, "/v1/jobs", token: fixture.user, body: body.replacingOccurrences(of: "%@", with: "two"))
            #expect(second.status == 200)
            #expect(second.json["duplicate"] as? Bool == true)
            #expect(second.json["created"] as? Bool == false)
            #expect((second.json["job"] as? [String: Any])?["id"] as? String == "one")
            // Another user of the organisation meets the key but may not see the job.
            let other = try await client.call(.post, "/v1/jobs", token: carol, body: body.replacingOccurrences(of: "%@", with: "three"))
            #expect(other.status == 409)
            #expect(other.json["outcome"] as? String == "duplicate")
            #expect(other.json["jobId"] as? String == "one")
            #expect(other.json["job"] == nil)
            for bad in [
                #"{"type":"report","unique":{"key":"","window":60}}"#, #"{"type":"report","unique":{"key":"k"}}"#,
                #"{"type":"report","unique":{"key":"k","window":0}}"#, #"{"type":"report","unique":"k"}"#,
                #"{"type":"report","unique":{"key":"k","window":60,"extra":1}}"#,
            ] {
                #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: bad).status == 400, "\(bad)")
            }
        }
        #expect(try fixture.ledger.job("two") == nil)
    }

    @Test("a batch's follow-up is declared over HTTP, enqueued when the batch ends, and shown to its owner only")
    func followUps() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let submitted = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"p1","type":"part","batch":"nb"}"#)
            #expect(submitted.status == 201)
            let declared = try await client.call(
                .post, "/v1/batches/nb/then", token: fixture.user, body: #"{"type":"summary","payload":{"to":"ops"}}"#)
            #expect(declared.status == 201)
            #expect(declared.json["declared"] as? Bool == true)
            #expect((declared.json["followUp"] as? [String: Any])?["jobId"] as? String == "then:nb")
            #expect(declared.json["job"] is NSNull)
            let again = try await client.call(
                .post, "/v1/batches/nb/then", token: fixture.user, body: #"{"type":"summary","payload":{"to":"ops"}}"#)
            #expect(again.status == 200 && again.json["declared"] as? Bool == false)
            let other = try await client.call(.post, "/v1/batches/nb/then", token: fixture.user, body: #"{"type":"else"}"#)
            #expect(other.status == 409)
            #expect(try await client.call(.post, "/v1/batches/nb/then", token: fixture.worker, body: #"{"type":"x"}"#).status == 403)
            #expect(try await client.call(.post, "/v1/batches/nb/then", token: fixture.user, body: #"{"type":"x","after":["p1"]}"#).status == 400)

            let cancelled = try await client.call(.post, "/v1/jobs/p1/cancel", token: fixture.user, body: #"{"reason":"done"}"#)
            #expect(cancelled.status == 200)
            let shown = try await client.call(.get, "/v1/batches/nb/then", token: fixture.user)
            #expect(shown.status == 200)
            let job = try #require(shown.json["job"] as? [String: Any])
            #expect(job["id"] as? String == "then:nb")
            let payload = try #require(job["payload"] as? [String: Any])
            #expect(payload["outcomes"] as? [String: String] == ["p1": "cancelled"])
            #expect(try await client.call(.get, "/v1/batches/nb/then", token: fixture.otherOrgUser).status == 404)
            #expect(try await client.call(.get, "/v1/batches/none/then", token: fixture.user).status == 404)
        }
    }

    @Test("a user's pause of a type is 403 and recorded in the settings audit")
    func refusedPauseIsAudited() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let refused = try await client.call(.post, "/v1/queues/email/pause", token: fixture.user, body: #"{"reason":"mine"}"#)
            #expect(refused.status == 403)
        }
        let refusals = try fixture.ledger.settingsRefusals()
        #expect(refusals.count == 1)
        #expect(refusals.first?.actor == "alice" && refusals.first?.action == "pause" && refusals.first?.reason == "mine")
        #expect(try fixture.ledger.queueSettings("email").paused == false)
    }
}
