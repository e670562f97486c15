import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

@Suite("Worker routes")
struct WorkerRouteTests {
    // How fast the wake is, is measured in ServeProcessTests, apart from
    // this process's cooperative pool (other suites may keep it busy).
    @Test("a claim waiting for work gets a job submitted meanwhile, woken by the commit")
    func waitingClaimIsWokenBySubmit() async throws {
        var limits = ServerLimits()
        // A recheck far longer than the test: only the commit can wake the claim in time.
        limits.claimRecheck = .seconds(30)
        let fixture = try ServerFixture(limits: limits)
        try await fixture.withClient { client in
            let start = ContinuousClock.now
            async let claimed = client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"types":["email"],"wait":30}"#)
            try await Task.sleep(for: .milliseconds(300))
            let submittedAt = ContinuousClock.now
            #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"email"}"#).status == 201)
            let answer = try await claimed
            #expect(answer.status == 200)
            #expect(answer.job["id"] as? String == "j1")
            #expect(answer.job["worker"] as? String == "w1")
            // Judged only when this test's own tasks ran in time (a busy
            // test run can hold every thread of the pool for seconds).
            if submittedAt - start < .seconds(10) {
                #expect(ContinuousClock.now - submittedAt < .seconds(25), "woken by the commit, before the 30 s wait ran out")
            }
        }
    }

    @Test("a claim with nothing to do answers 204 after its wait, and at once with wait 0")
    func claimWithoutWorkAnswersNoContent() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let start = ContinuousClock.now
            let answer = try await client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"wait":0.3}"#)
            #expect(answer.status == 204)
            #expect(answer.text.isEmpty)
            #expect(ContinuousClock.now - start >= .milliseconds(290))
            #expect(try await client.call(.post, "/v1/claims", token: fixture.worker, body: "{}").status == 204)
        }
    }

    @Test("closing the shutdown gate ends a waiting claim with 204 at once")
    func shutdownEndsWaitingClaims() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let start = ContinuousClock.now
            async let answer = client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"wait":20}"#)
            try await Task.sleep(for: .milliseconds(200))
            fixture.server.shutdownGate.close()
            let closedAt = ContinuousClock.now
            #expect(try await answer.status == 204)
            // Judged only when this test's own tasks ran in time (see above).
            if closedAt - start < .seconds(10) {
                #expect(ContinuousClock.now - start < .seconds(19), "ended by the gate, before the wait ran out")
            }
        }
    }

    @Test("the worker acts as the token's worker: renew, cancel request, acknowledge; a stale attempt is refused")
    func workerLifecycle() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"email"}"#).status == 201)
            let claim = try await client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"lease":30}"#)
            #expect(claim.job["attempt"] as? Int == 1)
            let renew = try await client.call(.post, "/v1/jobs/j1/renew", token: fixture.worker, body: #"{"attempt":1,"lease":60}"#)
            #expect(renew.status == 200)
            #expect(renew.json["cancelRequested"] as? Bool == false)
            let stale = try await client.call(.post, "/v1/jobs/j1/complete", token: fixture.worker, body: #"{"attempt":7}"#)
            #expect(stale.status == 409)
            #expect(stale.json["outcome"] as? String == "not_lease_holder")
            let cancel = try await client.call(.post, "/v1/jobs/j1/cancel", token: fixture.user, body: #"{"reason":"no longer needed"}"#)
            #expect(cancel.json["outcome"] as? String == "cancel_requested")
            let renewed = try await client.call(.post, "/v1/jobs/j1/renew", token: fixture.worker, body: #"{"attempt":1}"#)
            #expect(renewed.json["cancelRequested"] as? Bool == true)
            let ack = try await client.call(.post, "/v1/jobs/j1/ack-cancel", token: fixture.worker, body: #"{"attempt":1}"#)
            #expect(ack.job["state"] as? String == "cancelled")
            let late = try await client.call(.post, "/v1/jobs/j1/complete", token: fixture.worker, body: #"{"attempt":1}"#)
            #expect(late.status == 409)
            #expect(late.problemType == "not-allowed")
        }
    }

    @Test("over the cap of waiting claims a claim is refused with 503 and Retry-After")
    func longPollCapAnswersBusy() async throws {
        var limits = ServerLimits()
        limits.maxLongPolls = 1
        let fixture = try ServerFixture(limits: limits)
        try await fixture.withClient { client in
            async let first = client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"wait":1}"#)
            try await Task.sleep(for: .milliseconds(200))
            let second = try await client.execute(
                uri: "/v1/claims", method: .post, headers: [.authorization: "Bearer \(fixture.worker)"],
                body: ByteBuffer(string: #"{"wait":1}"#)
            ) { response in (Int(response.status.code), response.headers[.retryAfter]) }
            #expect(second.0 == 503)
            #expect(second.1 == "1")
            #expect(try await first.status == 204)
        }
    }
}
