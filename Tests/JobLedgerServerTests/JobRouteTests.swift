import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

@Suite("Job routes")
struct JobRouteTests {
    @Test("answers carry the command line's JSON shapes: submit 201 then 200, the job, its history and a past state")
    func shapesMatchTheCommandLine() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let created = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"email","payload":{"to":"bob"},"priority":5}"#)
            #expect(created.status == 201)
            #expect(created.json["created"] as? Bool == true)
            let again = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"email"}"#)
            #expect(again.status == 200)
            #expect(again.json["created"] as? Bool == false)
            let conflicting = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"sms"}"#)
            #expect(conflicting.status == 409)
            #expect(conflicting.json["outcome"] as? String == "conflicting_submission")

            let job = try #require(try fixture.ledger.job("j1"))
            let got = try await client.call(.get, "/v1/jobs/j1", token: fixture.user)
            #expect(got.text == String(decoding: JobJSON.data(JobJSON.job(job)), as: UTF8.self))
            #expect(Set(got.json.keys) == [
                "id", "type", "state", "owner", "org", "batch", "payload", "priority", "attempt", "maxAttempts", "worker",
                "leaseUntil", "availableAt", "version", "submittedAt", "updatedAt", "result", "error",
            ])
            #expect(got.json["payload"] as? [String: String] == ["to": "bob"])
            let position = try fixture.ledger.store.lastPosition()
            #expect(try await client.call(.post, "/v1/jobs/j1/cancel", token: fixture.user, body: #"{"reason":"changed my mind"}"#)
                .json["outcome"] as? String == "cancelled")
            let past = try await client.call(.get, "/v1/jobs/j1?asOf=\(position)", token: fixture.user)
            #expect(past.json["state"] as? String == "pending")
            #expect(try await client.call(.get, "/v1/jobs/j1?asOf=yesterday", token: fixture.user).status == 400)
            let history = try await client.call(.get, "/v1/jobs/j1/history", token: fixture.user)
            let events = try #require(history.json["events"] as? [[String: Any]])
            #expect(history.json["job"] as? String == "j1")
            #expect(events.contains { $0["type"] as? String == "JobCancelled" })
        }
    }

    @Test("list is scoped by the token: a user sees their own jobs, an admin their organisation's, and pages follow the cursor")
    func listIsScopedAndPaged() async throws {
        let fixture = try ServerFixture()
        for index in 0..<5 {
            _ = try await fixture.ledger.submit(JobSubmission(id: "a\(index)", type: "email"), by: Actor(id: "alice", role: .user, organisation: "acme"))
        }
        _ = try await fixture.ledger.submit(JobSubmission(id: "c1", type: "email"), by: Actor(id: "carol", role: .user, organisation: "acme"))
        _ = try await fixture.ledger.submit(JobSubmission(id: "b1", type: "email"), by: Actor(id: "bob", role: .user, organisation: "globex"))
        try await fixture.withClient { client in
            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let page = try await client.call(.get, "/v1/jobs?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: fixture.user)
                #expect(page.status == 200)
                seen += (page.json["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page.json["next"] as? String
            } while cursor != nil
            #expect(Set(seen) == ["a0", "a1", "a2", "a3", "a4"])
            #expect(seen.count == 5)
            let admin = try await client.call(.get, "/v1/jobs?state=pending", token: fixture.admin)
            #expect((admin.json["jobs"] as? [[String: Any]])?.count == 6)
            #expect(try await client.call(.get, "/v1/jobs?org=globex", token: fixture.admin).status == 403)
            #expect(try await client.call(.get, "/v1/jobs?owner=carol", token: fixture.user).status == 403)
            #expect(try await client.call(.get, "/v1/jobs?state=lost", token: fixture.user).status == 400)
            #expect(try await client.call(.get, "/v1/jobs?limit=0", token: fixture.user).status == 400)
            let all = try await client.call(.get, "/v1/jobs?limit=100", token: fixture.system)
            #expect((all.json["jobs"] as? [[String: Any]])?.count == 7)
        }
    }

    @Test("kill needs an admin, retry brings a killed job back, and a batch kill answers an outcome per job")
    func killRetryAndBatchKill() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            for id in ["b1", "b2", "b3"] {
                #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"\#(id)","type":"email","batch":"nightly"}"#).status == 201)
            }
            let byOwner = try await client.call(.post, "/v1/jobs/b1/kill", token: fixture.user, body: #"{"reason":"x"}"#)
            #expect(byOwner.status == 403)
            #expect(try await client.call(.post, "/v1/jobs/b1/kill", token: fixture.admin, body: "{}").status == 400)
            let killed = try await client.call(.post, "/v1/jobs/b1/kill", token: fixture.admin, body: #"{"reason":"runaway"}"#)
            #expect(killed.json["outcome"] as? String == "killed")
            let retried = try await client.call(.post, "/v1/jobs/b1/retry", token: fixture.user, body: "")
            #expect(retried.json["outcome"] as? String == "retried")
            #expect(try await client.call(.post, "/v1/jobs/b1/retry", token: fixture.user).status == 409)
            #expect(try await client.call(.post, "/v1/jobs/nope/cancel", token: fixture.user, body: #"{"reason":"x"}"#).status == 404)
            _ = try await client.call(.post, "/v1/jobs/b2/cancel", token: fixture.user, body: #"{"reason":"x"}"#)
            let batch = try await client.call(.post, "/v1/batches/nightly/kill", token: fixture.admin, body: #"{"reason":"stuck"}"#)
            #expect(batch.status == 200)
            let outcomes = Dictionary(uniqueKeysWithValues: (batch.json["results"] as? [[String: Any]] ?? []).map {
                ($0["id"] as? String ?? "", $0["outcome"] as? String ?? "")
            })
            #expect(outcomes == ["b1": "killed", "b2": "already_cancelled", "b3": "killed"])
            let stranger = try await client.call(.post, "/v1/batches/nightly/kill", token: fixture.otherOrgUser, body: #"{"reason":"x"}"#)
            #expect((stranger.json["results"] as? [[String: Any]])?.allSatisfy { $0["outcome"] as? String != "killed" } == true)
        }
    }

    @Test("bad bodies are refused with 400 naming the problem, and a body over the limit with 413; nothing is written")
    func badAndOversizedBodies() async throws {
        var limits = ServerLimits()
        limits.maxBodyBytes = 4096
        let fixture = try ServerFixture(limits: limits)
        let before = try fixture.ledger.store.lastPosition()
        try await fixture.withClient { client in
            for body in ["not json", "[1,2]", #"{"type":5}"#, #"{"type":"email","priority":1.5}"#, #"{"type":"email","colour":"red"}"#, "{}"] {
                let answer = try await client.call(.post, "/v1/jobs", token: fixture.user, body: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.problemType == "bad-input")
            }
            let huge = #"{"type":"email","payload":""# + String(repeating: "x", count: 10_000) + #""}"#
            let tooLarge = try await client.call(.post, "/v1/jobs", token: fixture.user, body: huge)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.problemType == "too-large")
            let unknown = try await client.call(.get, "/v1/nothing-here", token: fixture.user)
            #expect(unknown.status == 404)
        }
        #expect(try fixture.ledger.store.lastPosition() == before)
    }
}
