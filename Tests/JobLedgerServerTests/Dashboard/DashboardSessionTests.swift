import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// Signing in and out of the dashboard against a live server: the session
/// cookie, what it holds, and when a session ends.
@Suite("dashboard sessions")
struct DashboardSessionTests {
    @Test("signing in with a token sets an HttpOnly, SameSite=Strict session cookie that holds a random id, never the token")
    func signInSetsASessionCookieWithoutTheToken() async throws {
        let fixture = try ServerFixture()
        try await fixture.withLiveBrowser { browser in
            let answer = try await browser.signIn(fixture.user)
            #expect(answer.status == 303)
            #expect(answer.location == "/jobs")
            let header = try #require(browser.lastSetCookies.first { $0.hasPrefix("jl_session=") })
            #expect(header.contains("HttpOnly"))
            #expect(header.contains("SameSite=Strict"))
            #expect(!header.contains("Secure"), "plain HTTP unless told the server is behind HTTPS")
            let id = try #require(browser.cookies["jl_session"])
            #expect(id.count == 43)
            #expect(!header.contains(fixture.user))
            #expect(!fixture.user.contains(id))
            let jobs = try await browser.get("/jobs")
            #expect(jobs.status == 200)
            #expect(jobs.text.contains("Signed in as <strong>alice</strong> (user, acme)"))
        }
    }

    @Test("behind HTTPS the session cookie is Secure and takes the __Host- prefix")
    func behindHTTPSTheCookieIsSecure() async throws {
        var settings = DashboardSettings()
        settings.behindHTTPS = true
        let fixture = try ServerFixture(dashboard: settings)
        try await fixture.withLiveBrowser { browser in
            #expect(try await browser.signIn(fixture.admin).status == 303)
            let header = try #require(browser.lastSetCookies.first { $0.hasPrefix("__Host-jl_session=") })
            #expect(header.contains("Secure"))
            #expect(header.contains("Path=/"))
            #expect(!header.contains("Domain"))
        }
    }

    @Test("a wrong, unknown or revoked token, or a sign-in form not loaded from this server, starts no session")
    func badSignInsStartNoSession() async throws {
        let fixture = try ServerFixture()
        try await fixture.withLiveBrowser { browser in
            let malformed = try await browser.signIn("jl_short")
            #expect(malformed.status == 401)
            #expect(malformed.text.contains("That is not a token"))
            let unknown = try await browser.signIn("jl_" + String(repeating: "A", count: 43))
            #expect(unknown.status == 401)
            #expect(unknown.text.contains("not known to this ledger"))
            #expect(browser.cookies["jl_session"] == nil)

            // A form posted from elsewhere has no matching sign-in cookie.
            browser.cookies = [:]
            let forged = try await browser.post("/login", form: [("nonce", "made-up"), ("token", fixture.user)])
            #expect(forged.status == 403)
            #expect(browser.cookies["jl_session"] == nil)
            #expect(try await browser.get("/jobs").location == "/login")
        }
    }

    @Test("pages without a session lead to the sign-in page, and the live stream answers 401")
    func noSessionNoPages() async throws {
        let fixture = try ServerFixture()
        try await fixture.withLiveBrowser { browser in
            for path in ["/", "/jobs", "/jobs/j1", "/overview", "/events", "/jobs/j1/cancel"] {
                let page = try await browser.get(path)
                #expect(page.status == 303, "\(path)")
                #expect(page.location == "/login", "\(path)")
            }
            browser.cookies["jl_session"] = "made-up-session-id"
            #expect(try await browser.get("/jobs").location == "/login")
            #expect(try await browser.get("/live").status == 401)
        }
    }

    @Test("a token revoked after sign-in ends the session on the next request")
    func revokedTokenEndsTheSession() async throws {
        let fixture = try ServerFixture()
        let carol = try fixture.ledger.issueToken(for: Actor(id: "carol", role: .user, organisation: "acme"))
        try await fixture.withLiveBrowser { browser in
            #expect(try await browser.signIn(carol.text).status == 303)
            #expect(try await browser.get("/jobs").status == 200)
            _ = try fixture.ledger.revokeToken(id: carol.token.id)
            let after = try await browser.get("/jobs")
            #expect(after.status == 303)
            #expect(after.location == "/login")
        }
    }

    @Test("signing out needs the session's form token, ends the session, and the old cookie then opens nothing")
    func signOutEndsTheSession() async throws {
        let fixture = try ServerFixture()
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let page = try await browser.get("/jobs")
            let csrf = try #require(page.hidden("csrf"))
            let session = try #require(browser.cookies["jl_session"])
            #expect(try await browser.post("/logout", form: [("csrf", "wrong")]).status == 403)
            #expect(try await browser.get("/jobs").status == 200, "a forged sign-out changes nothing")
            let out = try await browser.post("/logout", form: [("csrf", csrf)])
            #expect(out.status == 303)
            #expect(browser.cookies["jl_session"] == nil)
            browser.cookies["jl_session"] = session
            #expect(try await browser.get("/jobs").location == "/login")
        }
    }
}
