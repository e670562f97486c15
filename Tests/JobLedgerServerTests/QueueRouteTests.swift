import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

/// The settings of a job type over HTTP, against a real server: the same
/// limits `jobledger queue` sets, changed by admins and the system only.
@Suite("Queue routes")
struct QueueRouteTests {
    @Test("an admin limits, rate-limits, pauses and resumes a type; the claim obeys; a user is refused")
    func settingsTravelAndBind() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let fresh = try await client.call(.get, "/v1/queues/mail", token: fixture.user)
            #expect(fresh.status == 200)
            #expect(fresh.json["concurrency"] is NSNull && fresh.json["paused"] as? Bool == false)

            let refused = try await client.call(.post, "/v1/queues/mail/pause", token: fixture.user, body: #"{"reason":"mine"}"#)
            #expect(refused.status == 403)
            #expect(try await client.call(.post, "/v1/queues/mail/limit", token: fixture.worker, body: #"{"concurrency":1}"#).status == 403)

            let limited = try await client.call(.post, "/v1/queues/mail/limit", token: fixture.admin, body: #"{"concurrency":1}"#)
            #expect(limited.status == 200)
            #expect(limited.json["concurrency"] as? Int == 1)
            for id in ["m1", "m2"] {
                #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"\#(id)","type":"mail"}"#).status == 201)
            }
            let first = try await client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"lease":60}"#)
            #expect((first.json["job"] as? [String: Any])?["id"] as? String == "m1")
            // The limit of one holds the second back while the first runs.
            let second = try await client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"lease":60}"#)
            #expect(second.status == 204)

            let lifted = try await client.call(.post, "/v1/queues/mail/limit", token: fixture.admin, body: #"{"concurrency":null}"#)
            #expect(lifted.json["concurrency"] is NSNull)
            let paused = try await client.call(.post, "/v1/queues/mail/pause", token: fixture.system, body: #"{"reason":"smtp down"}"#)
            #expect(paused.json["paused"] as? Bool == true)
            #expect(try await client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"lease":60}"#).status == 204)
            #expect(try await client.call(.post, "/v1/queues/mail/resume", token: fixture.admin).status == 200)
            let third = try await client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"lease":60}"#)
            #expect((third.json["job"] as? [String: Any])?["id"] as? String == "m2")

            let rated = try await client.call(.post, "/v1/queues/mail/rate", token: fixture.admin, body: #"{"rate":5,"per":60}"#)
            #expect(rated.json["rate"] as? Int == 5 && rated.json["ratePeriod"] as? Double == 60)
            let shown = try await client.call(.get, "/v1/queues/mail", token: fixture.worker)
            #expect(shown.json["rate"] as? Int == 5 && shown.json["paused"] as? Bool == false)
        }
        // Every change is in the type's stream, with the actor the token names.
        let changes = try fixture.ledger.store.readStream("queue-mail").filter { $0.type == "QueueSettingsChanged" }
        #expect(changes.count == 5)
    }

    @Test("an admin sets and lifts a type's retention policy; a user is refused; the policy is what scavenge reads")
    func retentionPolicyTravels() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let fresh = try await client.call(.get, "/v1/queues/mail", token: fixture.user)
            #expect(fresh.json["retentionSeconds"] is NSNull)
            let refused = try await client.call(.post, "/v1/queues/mail/retention", token: fixture.user, body: #"{"after":60}"#)
            #expect(refused.status == 403)
            let set = try await client.call(
                .post, "/v1/queues/mail/retention", token: fixture.admin, body: #"{"after":7776000,"reason":"90 days"}"#)
            #expect(set.status == 200, "\(set.text)")
            #expect(set.json["retentionSeconds"] as? Int == 7_776_000)
            #expect(try fixture.ledger.queueSettings("mail").retentionSeconds == 7_776_000)
            let lifted = try await client.call(.post, "/v1/queues/mail/retention", token: fixture.system, body: #"{"after":null}"#)
            #expect(lifted.json["retentionSeconds"] is NSNull)
        }
        #expect(try fixture.ledger.queueSettings("mail").retentionSeconds == nil)
    }

    @Test("bad settings are refused with 400 naming the field, and change nothing")
    func badSettingsAreRefused() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let cases = [
                ("limit", #"{}"#, "concurrency"), ("limit", #"{"concurrency":0}"#, "concurrency"),
                ("limit", #"{"concurrency":"3"}"#, "concurrency"), ("rate", #"{"rate":5,"per":0}"#, "period"),
                ("rate", #"{"rate":null,"per":5}"#, "per"), ("rate", #"{"rate":1e300}"#, "rate"),
                ("pause", #"{}"#, "reason"), ("limit", #"{"concurrency":2,"role":"admin"}"#, "role"),
                ("retention", #"{}"#, "after"), ("retention", #"{"after":0}"#, "retention"),
                ("retention", #"{"after":"90d"}"#, "after"), ("retention", #"{"after":3155760001}"#, "retention"),
            ]
            for (action, body, field) in cases {
                let answer = try await client.call(.post, "/v1/queues/mail/\(action)", token: fixture.admin, body: body)
                #expect(answer.status == 400, "\(action) \(body): \(answer.text)")
                #expect(answer.text.contains(field), "\(action) \(body): \(answer.text)")
            }
            #expect(try await client.call(.post, "/v1/queues/bad%7Ftype/limit", token: fixture.admin, body: #"{"concurrency":1}"#).status == 400)
        }
        #expect(try fixture.ledger.store.readStream("queue-mail").isEmpty)
    }
}
