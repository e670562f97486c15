import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// The dashboard's pages and actions against a live server: form tokens,
/// escaping, headers, and buttons that follow the token's role.
@Suite("dashboard pages")
struct DashboardPageTests {
    static let alice = Actor(id: "alice", role: .user, organisation: "acme")
    static let hostile = "<script>window.pwned=1</script>\"onmouseover=\"window.pwned=1"

    @Test("a cancel posted without the session's form token, or with another session's, is refused and nothing is written")
    func forgedPostIsRefused() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.ledger.submit(JobSubmission(id: "j1", type: "email"), by: Self.alice)
        let otherSession = try await Self.csrf(fixture, token: fixture.admin)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let confirm = try await browser.get("/jobs/j1/cancel")
            #expect(confirm.status == 200)
            let csrf = try #require(confirm.hidden("csrf"))
            #expect(csrf != otherSession)
            for token in [nil, "", otherSession] {
                var form = [("reason", "forged")]
                if let token { form.append(("csrf", token)) }
                let answer = try await browser.post("/jobs/j1/cancel", form: form)
                #expect(answer.status == 403)
                #expect(answer.text.contains("form token"))
            }
            #expect(try fixture.ledger.job("j1")?.state == .pending)
            #expect(
                try fixture.audit("j1").map { $0["action"] as? String } == ["submit"],
                "a refused form runs no command, so the ledger records nothing after the submission")

            let done = try await browser.post("/jobs/j1/cancel", form: [("csrf", csrf), ("reason", "not needed")])
            #expect(done.status == 303)
            #expect(done.location == "/jobs/j1")
            #expect(try fixture.ledger.job("j1")?.state == .cancelled)
            let page = try await browser.get("/jobs/j1")
            #expect(page.text.contains("<code class=\"outcome\">cancelled</code>"))
        }
    }

    @Test("every value a user or worker wrote is escaped: type, payload, reason, error and the searched id")
    func userWrittenValuesAreEscaped() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        let payload = "{\"note\": \"\(Self.hostile.replacingOccurrences(of: "\"", with: "\\\""))\"}"
        _ = try await ledger.submit(JobSubmission(id: "x1", type: Self.hostile, payload: payload), by: Self.alice)
        let claimed = try #require(try await ledger.claim(worker: "w1", lease: 30))
        _ = try await ledger.fail("x1", worker: "w1", attempt: claimed.attempt, error: Self.hostile, retryable: false)
        _ = try await ledger.retry("x1", by: Self.alice)
        _ = try await ledger.cancel("x1", by: Self.alice, reason: Self.hostile)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let pages = [
                try await browser.get("/jobs/x1"), try await browser.get("/jobs"),
                try await browser.get("/jobs?id=" + Browser.encode(Self.hostile)),
                try await browser.get("/jobs?type=" + Browser.encode(Self.hostile)),
            ]
            for page in pages {
                #expect(!page.text.contains("<script>window"), "\(page.text)")
                #expect(!page.text.contains("\"onmouseover"))
                #expect(page.text.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"))
            }
            #expect(pages[0].text.contains("&quot;onmouseover=&quot;window.pwned=1"))
            // The only script element is the server's own file.
            #expect(pages[0].text.components(separatedBy: "<script").count == 2)
        }
    }

    @Test("pages, error pages, the sign-in page and the static files carry the security headers; pages are not cached")
    func securityHeaders() async throws {
        let fixture = try ServerFixture()
        try await fixture.withLiveBrowser { browser in
            let login = try await browser.get("/login")
            try await browser.signIn(fixture.user)
            let pages = [login, try await browser.get("/jobs"), try await browser.get("/jobs/nope"), try await browser.get("/assets/dashboard.js")]
            for page in pages {
                let policy = try #require(page.headers[.contentSecurityPolicy])
                #expect(policy.contains("default-src 'self'"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
                #expect(page.headers[.init("X-Content-Type-Options")!] == "nosniff")
            }
            #expect(pages[0].headers[.cacheControl] == "no-store")
            #expect(pages[1].headers[.cacheControl] == "no-store")
            #expect(pages[2].status == 404)
            #expect(pages[3].headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(try await browser.get("/assets/dashboard.css").status == 200)
            #expect(try await browser.get("/assets/other.js").status == 404)
            // No inline script or style in any page.
            for page in pages.prefix(3) {
                #expect(!page.text.contains("<style"))
                #expect(!page.text.contains(" style="))
                #expect(!page.text.contains(" onclick="))
            }
        }
    }

    @Test("a user sees no kill button, and a forged kill with a valid form token is refused by the ledger and audited as refused")
    func killFollowsTheRole() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.ledger.submit(JobSubmission(id: "k1", type: "email"), by: Self.alice)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let page = try await browser.get("/jobs/k1")
            #expect(page.text.contains("id=\"action-cancel\""))
            #expect(!page.text.contains("id=\"action-kill\""))
            let csrf = try #require(page.hidden("csrf"))
            let forged = try await browser.post("/jobs/k1/kill", form: [("csrf", csrf), ("reason", "forged")])
            #expect(forged.status == 303)
            let after = try await browser.get("/jobs/k1")
            #expect(after.text.contains("<strong>Refused</strong>: <code class=\"outcome\">forbidden</code>"))
            #expect(after.text.contains("Refused:</strong> <code>forbidden</code>"), "the timeline shows the refusal")
            #expect(try fixture.ledger.job("k1")?.state == .pending)
            let kills = try fixture.audit("k1").filter { $0["action"] as? String == "kill" }
            #expect(kills.count == 1)
            #expect(kills.first?["outcome"] as? String == "forbidden")
            #expect(kills.first?["actor"] as? String == "alice", "the actor comes from the token")
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            #expect(try await browser.get("/jobs/k1").text.contains("id=\"action-kill\""))
        }
    }

    @Test("an action on another organisation's job is refused and audited by the ledger, answered on the spot, and leaves no notice for another page")
    func actionOnAnUnseenJob() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.ledger.submit(JobSubmission(id: "theirs", type: "email"), by: Actor(id: "bob", role: .user, organisation: "globex"))
        _ = try await fixture.ledger.submit(JobSubmission(id: "mine", type: "email"), by: Self.alice)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            #expect(try await browser.get("/jobs/theirs").status == 404)
            #expect(try await browser.get("/jobs/theirs/cancel").status == 404)
            let csrf = try #require(try await browser.get("/jobs/mine").hidden("csrf"))
            let answer = try await browser.post("/jobs/theirs/cancel", form: [("csrf", csrf), ("reason", "not mine")])
            #expect(answer.status == 403)
            #expect(answer.text.contains("not allowed to act on job &#39;theirs&#39;"))
            #expect(try fixture.ledger.job("theirs")?.state == .pending)
            #expect(try fixture.audit("theirs").last?["outcome"] as? String == "forbidden")
            #expect(!(try await browser.get("/jobs/mine").text.contains("id=\"notice\"")))
        }
    }

    @Test("an admin kills a running job and retries it through the confirmation pages; a kill without a reason does nothing")
    func adminKillsAndRetries() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.ledger.submit(JobSubmission(id: "r1", type: "email"), by: Self.alice)
        _ = try #require(try await fixture.ledger.claim(worker: "w1", lease: 30))
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            let confirm = try await browser.get("/jobs/r1/kill")
            #expect(confirm.text.contains("<textarea id=\"reason\" name=\"reason\" rows=\"3\" required>"))
            let csrf = try #require(confirm.hidden("csrf"))
            let blank = try await browser.post("/jobs/r1/kill", form: [("csrf", csrf), ("reason", "  ")])
            #expect(blank.status == 400)
            #expect(blank.text.contains("a reason is required to kill a job; nothing was done"))
            #expect(try fixture.ledger.job("r1")?.state == .running)
            #expect(try await browser.post("/jobs/r1/kill", form: [("csrf", csrf), ("reason", "runaway")]).status == 303)
            let killed = try await browser.get("/jobs/r1")
            #expect(killed.text.contains("<code class=\"outcome\">killed</code>"))
            #expect(killed.text.contains("id=\"action-retry\""))
            #expect(!killed.text.contains("id=\"action-kill\""))
            #expect(try await browser.post("/jobs/r1/retry", form: [("csrf", csrf)]).status == 303)
            #expect(try await browser.get("/jobs/r1").text.contains("<code class=\"outcome\">retried</code>"))
            #expect(try fixture.ledger.job("r1")?.state == .pending)
            #expect(try await browser.get("/jobs/r1/explode").status == 404)
        }
    }

    @Test("cancelling a completed job shows already_completed with when and at which event")
    func alreadyCompletedIsShownWithItsEvent() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        _ = try await ledger.submit(JobSubmission(id: "c1", type: "email"), by: Self.alice)
        let claimed = try #require(try await ledger.claim(worker: "w1", lease: 30))
        _ = try await ledger.complete("c1", worker: "w1", attempt: claimed.attempt, result: "{}")
        let completed = try #require(try ledger.history("c1").last { $0.type == "JobCompleted" })
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let csrf = try #require(try await browser.get("/jobs/c1/cancel").hidden("csrf"))
            #expect(try await browser.post("/jobs/c1/cancel", form: [("csrf", csrf), ("reason", "late")]).status == 303)
            let page = try await browser.get("/jobs/c1")
            #expect(page.text.contains("<code class=\"outcome\">already_completed</code>"))
            #expect(page.text.contains("at event JobCompleted (position \(completed.position))"))
        }
    }

    @Test("the time-travel control shows the job as it stood after an earlier entry, and a bad step is named")
    func timeTravel() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        _ = try await ledger.submit(JobSubmission(id: "t1", type: "email"), by: Self.alice)
        _ = try #require(try await ledger.claim(worker: "w1", lease: 30))
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let now = try await browser.get("/jobs/t1")
            #expect(now.text.contains("<dd class=\"job-state\"><span class=\"state state-running\">running</span>"))
            let past = try await browser.get("/jobs/t1?at=1")
            #expect(past.text.contains("Showing the job as it stood after entry 1 of 4"))
            #expect(past.text.contains("<dd class=\"job-state\"><span class=\"state state-pending\">pending</span>"))
            let bad = try await browser.get("/jobs/t1?at=9")
            #expect(bad.text.contains("at: &#39;9&#39; is not an entry of this history (1 to 4)"))
        }
    }

    @Test("the jobs table filters (submission times too), refuses another organisation's filter for a user and a time that is not one, and pages with the cursor")
    func jobsTable() async throws {
        let fixture = try ServerFixture()
        for index in 0..<55 {
            _ = try await fixture.ledger.submit(JobSubmission(id: "p\(index)", type: index % 5 == 0 ? "sms" : "email"), by: Self.alice)
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let first = try await browser.get("/jobs")
            #expect(first.text.components(separatedBy: "<tr data-job-id=").count - 1 == 50)
            let range = try #require(first.text.range(of: "cursor="))
            let cursor = String(first.text[range.upperBound...].prefix { $0 != "\"" })
            let second = try await browser.get("/jobs?cursor=\(cursor)")
            #expect(second.text.components(separatedBy: "<tr data-job-id=").count - 1 == 5)
            let sms = try await browser.get("/jobs?type=sms")
            #expect(sms.text.components(separatedBy: "<tr data-job-id=").count - 1 == 11)
            let other = try await browser.get("/jobs?org=globex")
            #expect(other.status == 403)
            #expect(other.text.contains("may not list jobs of &#39;globex&#39;"))
            let later = try await browser.get("/jobs?since=2100-01-01T00:00:00Z")
            #expect(later.text.contains("No jobs match these filters."))
            let earlier = try await browser.get("/jobs?type=sms&until=2100-01-01T00:00:00Z")
            #expect(earlier.text.components(separatedBy: "<tr data-job-id=").count - 1 == 11)
            let badTime = try await browser.get("/jobs?since=yesterday")
            #expect(badTime.status == 400)
            #expect(badTime.text.contains("submitted from: &#39;yesterday&#39; is not an ISO-8601 time"))
            let found = try await browser.get("/jobs?id=p3")
            #expect(found.location == "/jobs/p3")
        }
    }

    /// A form token of a fresh session of `token`.
    static func csrf(_ fixture: ServerFixture, token: String) async throws -> String {
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(token)
            return try #require(try await browser.get("/jobs").hidden("csrf"))
        }
    }
}
