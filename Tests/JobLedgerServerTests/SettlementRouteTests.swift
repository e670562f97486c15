import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

@Suite("Settlements in one request")
struct SettlementRouteTests {
    /// Submits `ids` and claims them all as w1; returns the position after.
    private func claimAll(_ ids: [String], _ fixture: ServerFixture, _ client: some TestClientProtocol) async throws {
        for id in ids {
            #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"\#(id)","type":"email"}"#).status == 201)
        }
        let claim = try await client.call(
            .post, "/v1/claims", token: fixture.worker, body: #"{"count":\#(ids.count),"lease":60}"#)
        #expect(claim.status == 200)
        #expect((claim.json["jobs"] as? [Any])?.count == ids.count)
    }

    private func entries(_ answer: Answer) -> [[String: Any]] {
        answer.json["settlements"] as? [[String: Any]] ?? []
    }

    @Test("each settlement is applied as its own route would, and a refused one leaves the others settled")
    func mixedSettlementsAnswerInOrder() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            try await claimAll(["a", "b", "c", "d"], fixture, client)
            #expect(try await client.call(.post, "/v1/jobs/c/cancel", token: fixture.user, body: #"{"reason":"stop"}"#).status == 200)
            let answer = try await client.call(.post, "/v1/settlements", token: fixture.worker, body: """
                {"settlements":[
                  {"id":"a","attempt":1,"outcome":"complete","result":{"sent":3}},
                  {"id":"b","attempt":1,"outcome":"fail","error":"smtp down","retryable":true},
                  {"id":"c","attempt":1,"outcome":"ack-cancel"},
                  {"id":"d","attempt":2,"outcome":"complete"}
                ]}
                """)
            #expect(answer.status == 200)
            let results = entries(answer)
            #expect(results.map { $0["id"] as? String } == ["a", "b", "c", "d"])
            #expect(results.map { $0["status"] as? Int } == [200, 200, 200, 409])
            #expect(results.prefix(3).map { $0["state"] as? String } == ["completed", "pending", "cancelled"])
            let problem = results[3]["problem"] as? [String: Any]
            #expect(problem?["outcome"] as? String == "not_lease_holder")
            #expect(problem?["jobId"] as? String == "d")

            let a = try #require(try fixture.ledger.job("a"))
            #expect(a.state == .completed)
            #expect(a.result == #"{"sent":3}"#)
            #expect(try fixture.ledger.job("b")?.error == "smtp down")
            #expect(try fixture.ledger.job("c")?.state == .cancelled)
            #expect(try fixture.ledger.job("d")?.state == .running, "the stale attempt changed nothing")
            #expect(a.worker == "w1", "the worker is the token's")
        }
    }

    @Test("a body with any bad entry is refused as a whole and settles nothing")
    func badEntryRefusesWholeRequest() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            try await claimAll(["a", "b"], fixture, client)
            let before = (try fixture.ledger.store.lastPosition())
            let bodies: [(String, String)] = [
                (#"{"settlements":[{"id":"a","attempt":1,"outcome":"complete"},{"id":"b","outcome":"complete"}]}"#,
                 "settlements[1].attempt"),
                (#"{"settlements":[{"id":"a","attempt":1,"outcome":"complete"},{"id":"a","attempt":1,"outcome":"complete"}]}"#,
                 "settled twice"),
                (#"{"settlements":[{"id":"a","attempt":1,"outcome":"complete"},{"id":"b","attempt":1,"outcome":"finish"}]}"#,
                 "settlements[1].outcome"),
                (#"{"settlements":[{"id":"a","attempt":1,"outcome":"complete","error":"x"}]}"#, "settlements[0].error"),
                (#"{"settlements":[{"id":"a","attempt":1,"outcome":"complete","worker":"w9"}]}"#, "identity comes from the bearer token"),
                (#"{"settlements":[{"id":"a","attempt":1.5,"outcome":"complete"}]}"#, "settlements[0].attempt"),
                (#"{"settlements":[7]}"#, "settlements[0]"),
                (#"{"settlements":[]}"#, "1 to 100"),
                (#"{"settlements":{}}"#, "'settlements' is required"),
                (#"{}"#, "'settlements' is required"),
                (#"{"settlements":[],"extra":1}"#, "unknown field 'extra'"),
                ("[1,2", "not valid JSON"),
            ]
            for (body, named) in bodies {
                let answer = try await client.call(.post, "/v1/settlements", token: fixture.worker, body: body)
                #expect(answer.status == 400, "\(body)")
                #expect((answer.json["detail"] as? String)?.contains(named) == true, "\(body): \(answer.text)")
            }
            let many = (0...100).map { #"{"id":"j\#($0)","attempt":1,"outcome":"complete"}"# }.joined(separator: ",")
            let tooMany = try await client.call(.post, "/v1/settlements", token: fixture.worker, body: #"{"settlements":[\#(many)]}"#)
            #expect(tooMany.status == 400)
            #expect((try fixture.ledger.store.lastPosition()) == before, "nothing was appended")
            #expect(try fixture.ledger.job("a")?.state == .running)
        }
    }

    @Test("only a worker token may settle, and a worker settles only the attempts it holds")
    func onlyTheHoldingWorkerSettles() async throws {
        let fixture = try ServerFixture()
        let otherWorker = try fixture.ledger.issueToken(for: Actor(id: "w2", role: .worker, organisation: "acme")).text
        try await fixture.withClient { client in
            try await claimAll(["a"], fixture, client)
            let body = #"{"settlements":[{"id":"a","attempt":1,"outcome":"complete"}]}"#
            #expect(try await client.call(.post, "/v1/settlements", token: fixture.user, body: body).status == 403)
            #expect(try await client.call(.post, "/v1/settlements", token: fixture.admin, body: body).status == 403)
            #expect(try await client.call(.post, "/v1/settlements", token: nil, body: body).status == 401)
            let stranger = try await client.call(.post, "/v1/settlements", token: otherWorker, body: body)
            #expect(stranger.status == 200)
            #expect(entries(stranger).first?["status"] as? Int == 409)
            #expect(try fixture.ledger.job("a")?.state == .running)
            let holder = try await client.call(.post, "/v1/settlements", token: fixture.worker, body: body)
            #expect(entries(holder).first?["state"] as? String == "completed")
            let again = try await client.call(.post, "/v1/settlements", token: fixture.worker, body: body)
            #expect(entries(again).first?["status"] as? Int == 409, "a settled attempt is never settled twice")
            let unknown = try await client.call(
                .post, "/v1/settlements", token: fixture.worker, body: #"{"settlements":[{"id":"nope","attempt":1,"outcome":"complete"}]}"#)
            #expect(entries(unknown).first?["status"] as? Int == 404)
        }
    }
}
