import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Synchronization
import Testing

@Suite("Bearer tokens")
struct AuthenticationTests {
    @Test("a request without a token, or with a malformed or unknown one, is refused with 401 and writes nothing")
    func missingMalformedAndUnknownTokensAreRefused() async throws {
        let fixture = try ServerFixture()
        let before = try fixture.ledger.store.lastPosition()
        try await fixture.withClient { client in
            for token: String? in [nil, "jl_short", "Basic abc", "jl_" + String(repeating: "A", count: 43)] {
                let answer = try await client.call(.post, "/v1/jobs", token: token, body: #"{"type":"email"}"#)
                #expect(answer.status == 401)
                #expect(answer.problemType == "unauthorized")
                #expect(answer.contentType == "application/problem+json")
            }
        }
        #expect(try fixture.ledger.store.lastPosition() == before)
    }

    @Test("a revoked token is refused on the very next request")
    func revokedTokenIsRefusedOnTheNextRequest() async throws {
        let fixture = try ServerFixture()
        let issued = try fixture.ledger.issueToken(for: Actor(id: "carol", role: .user, organisation: "acme"))
        try await fixture.withClient { client in
            #expect(try await client.call(.get, "/v1/jobs", token: issued.text).status == 200)
            _ = try fixture.ledger.revokeToken(id: issued.token.id, reason: "left")
            let answer = try await client.call(.get, "/v1/jobs", token: issued.text)
            #expect(answer.status == 401)
            #expect(answer.json["detail"] as? String == "the bearer token \(issued.token.id) was revoked")
        }
    }

    @Test("the ledger keeps only the token's SHA-256 digest: its text appears nowhere in the log")
    func onlyTheDigestIsStored() throws {
        let fixture = try ServerFixture()
        let issued = try fixture.ledger.issueToken(for: Actor(id: "dave", role: .worker, organisation: "acme"), worker: "w9", expiresIn: 3600)
        var log = ""
        try fixture.ledger.store.exportEvents(to: &log)
        #expect(!log.contains(issued.text))
        #expect(!log.contains(String(issued.text.dropFirst(3))))
        #expect(log.contains(issued.token.digest))
        #expect(issued.token.digest.count == 64)
        #expect(issued.token.worker == "w9")
        guard case .valid(let token) = try fixture.ledger.checkToken(issued.text) else {
            Issue.record("the issued token is not valid")
            return
        }
        #expect(token.actingAs == Actor.worker("w9"))
        #expect(throws: JobLedgerError.self) {
            try fixture.ledger.issueToken(for: Actor(id: "eve", role: .user, organisation: "acme"), worker: "w1")
        }
    }

    @Test("a token is refused once its expiry has passed")
    func expiredTokenIsRefused() async throws {
        let now = TestTime(Date())
        let fixture = try ServerFixture(clock: { now.current })
        let issued = try fixture.ledger.issueToken(for: Actor(id: "carol", role: .user, organisation: "acme"), expiresIn: 60)
        try await fixture.withClient { client in
            #expect(try await client.call(.get, "/v1/jobs", token: issued.text).status == 200)
            now.advance(61)
            let answer = try await client.call(.get, "/v1/jobs", token: issued.text)
            #expect(answer.status == 401)
            #expect((answer.json["detail"] as? String)?.hasSuffix("has expired") == true)
        }
    }

    @Test("worker routes refuse a user token, and operator listing refuses a worker token, with 403")
    func wrongRoleIsForbidden() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let claim = try await client.call(.post, "/v1/claims", token: fixture.user, body: #"{"wait":0}"#)
            #expect(claim.status == 403)
            #expect(claim.problemType == "forbidden")
            #expect(try await client.call(.get, "/v1/jobs", token: fixture.worker).status == 403)
            #expect(try await client.call(.post, "/v1/jobs", token: fixture.worker, body: #"{"type":"email"}"#).status == 403)
            #expect(try await client.call(.get, "/v1/events", token: fixture.admin).status == 403)
        }
    }

    @Test("a worker token cancelling a job is refused with 403 and the refusal is audited")
    func workerTokenOnOperatorRouteIsForbiddenAndAudited() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"email"}"#).status == 201)
            let answer = try await client.call(.post, "/v1/jobs/j1/cancel", token: fixture.worker, body: #"{"reason":"mine now"}"#)
            #expect(answer.status == 403)
            #expect(answer.json["outcome"] as? String == "forbidden")
            #expect(answer.json["jobId"] as? String == "j1")
        }
        let audit = try fixture.audit("j1")
        #expect(audit.last?["outcome"] as? String == "forbidden")
        #expect(audit.last?["actor"] as? String == "w1")
        #expect(try fixture.ledger.job("j1")?.state == .pending)
    }

    @Test("a user cancelling another organisation's job gets 403, audited, and the job is untouched")
    func userOfAnotherOrganisationCannotCancel() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"j1","type":"email"}"#).status == 201)
            let answer = try await client.call(.post, "/v1/jobs/j1/cancel", token: fixture.otherOrgUser, body: #"{"reason":"hostile"}"#)
            #expect(answer.status == 403)
            #expect(answer.json["job"] == nil)
            // Nor can they read it: other organisations' jobs do not exist for them.
            #expect(try await client.call(.get, "/v1/jobs/j1", token: fixture.otherOrgUser).status == 404)
        }
        let audit = try fixture.audit("j1")
        #expect(audit.last?["outcome"] as? String == "forbidden")
        #expect(audit.last?["organisation"] as? String == "globex")
        #expect(try fixture.ledger.job("j1")?.state == .pending)
    }

    @Test("a body naming its own identity is refused: identity comes from the token only")
    func bodyCannotNameItsIdentity() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let answer = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"type":"email","owner":"root"}"#)
            #expect(answer.status == 400)
            #expect((answer.json["detail"] as? String)?.contains("bearer token") == true)
        }
    }
}

/// A clock the tests move by hand.
final class TestTime: Sendable {
    private let now: Mutex<Date>
    init(_ start: Date) { now = Mutex(start) }
    var current: Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
}
