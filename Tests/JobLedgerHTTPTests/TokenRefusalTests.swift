import Foundation
import JobLedger
import JobLedgerClient
import Testing

/// Every way a token can be wrong, over a live server: refused with the
/// right status, and audited where the ledger audits.
@Suite struct TokenRefusalTests {
    @Test func missingMalformedUnknownRevokedAndExpiredTokensAreRefusedWith401() async throws {
        let server = try await LiveServer()
        let anonymous = try server.client(nil)
        let ledger = try server.openLedger()
        let revoked = try ledger.issueToken(for: Actor(id: "gone", role: .user, organisation: "acme"))
        _ = try ledger.revokeToken(id: revoked.token.id, reason: "laptop lost")
        let expired = try ledger.issueToken(for: Actor(id: "late", role: .user, organisation: "acme"), expiresIn: 0.2)
        try await Task.sleep(for: .milliseconds(400))
        let cases: [(String, String?)] = [
            ("missing", nil), ("malformed", "not-a-token"),
            ("unknown", "jl_" + String(repeating: "A", count: 43)),
            ("revoked", revoked.text), ("expired", expired.text),
        ]
        for (name, token) in cases {
            await #expect(throws: LedgerProblem.self, "\(name)") {
                _ = try await anonymous.authenticated(with: token).jobs()
            }
            do {
                _ = try await anonymous.authenticated(with: token).submit(NewJob(id: "x-\(name)", type: "t"))
            } catch let problem as LedgerProblem {
                #expect(problem.status == 401, "\(name): \(problem)")
                #expect(problem.kind == .unauthorized, "\(name): \(problem)")
            }
        }
        // Nothing was written for a refused caller.
        #expect(try ledger.job("x-missing") == nil)
        #expect(try await anonymous.isHealthy())
        #expect(await server.stop() == 0)
    }

    @Test func aTokenOfTheWrongRoleOrOrganisationIsRefusedWith403AndACancelRefusalIsAudited() async throws {
        let server = try await LiveServer()
        let alice = try server.client(try server.token("alice", role: .user))
        let worker = alice.authenticated(with: try server.token("w1", role: .worker))
        let stranger = alice.authenticated(with: try server.token("mallory", role: .user, org: "globex"))
        _ = try await alice.submit(NewJob(id: "invoice-7", type: "mail"))

        func status(_ call: () async throws -> Void) async -> Int? {
            do {
                try await call()
                return nil
            } catch let problem as LedgerProblem {
                return problem.status
            } catch {
                return -1
            }
        }
        // A worker token on operator routes, a user on worker and system routes.
        #expect(await status { _ = try await worker.submit(NewJob(type: "mail")) } == 403)
        #expect(await status { _ = try await worker.jobs() } == 403)
        #expect(await status { _ = try await worker.cancel("invoice-7", reason: "x") } == 403)
        #expect(await status { _ = try await alice.claim(lease: 5) } == 403)
        #expect(await status { _ = try await alice.events() } == 403)
        #expect(await status { _ = try await alice.report() } == 403)
        // Another organisation's user may not cancel: 403, and the refusal is audited.
        #expect(await status { _ = try await stranger.cancel("invoice-7", reason: "prank") } == 403)
        #expect(try await alice.job("invoice-7").state == .pending)
        #expect(await server.stop() == 0)
        let audits = try auditEntries(try server.openLedger(), "invoice-7")
        #expect(audits.contains { $0.actor == "mallory" && $0.action == "cancel" && $0.outcome == .forbidden && $0.reason == "prank" })
    }
}
