import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// Actions on every job the jobs table's filters match: the confirmation
/// counts them, the commands run in parts, each part answers with its
/// exceptions and the counts so far, and nothing else is touched.
@Suite("dashboard actions on matching jobs")
struct DashboardBulkMatchingTests {
    static let alice = Actor(id: "alice", role: .user, organisation: "acme")
    static let hostile = DashboardPageTests.hostile

    /// The hidden fields of the form `id` of `page`, in order.
    static func fields(_ page: Browser.Page, form id: String) throws -> [(String, String)] {
        let start = try #require(page.text.range(of: "<form method=\"post\" action=\"/bulk/matching\"\(id.isEmpty ? "" : " id=\"\(id)\"")"))
        let form = page.text[start.upperBound...]
        let body = form[..<(form.range(of: "</form>")?.lowerBound ?? form.endIndex)]
        var fields: [(String, String)] = []
        for part in body.components(separatedBy: "<input type=\"hidden\" name=\"").dropFirst() {
            let name = String(part.prefix { $0 != "\"" })
            guard let value = part.range(of: "value=\"") else { continue }
            fields.append((name, Self.unescape(String(part[value.upperBound...].prefix { $0 != "\"" }))))
        }
        return fields
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test("a cancel of every matching job counts them, runs them in parts of 100 with each part's exceptions, leaves jobs submitted since and other jobs alone, and ends with the counts by outcome")
    func cancelEveryMatchingJob() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: 230, by: 8) {
                        _ = try await ledger.submit(JobSubmission(id: "m\(index)", type: "bulk"), by: Self.alice)
                    }
                }
            }
            try await group.waitForAll()
        }
        for index in 0..<3 { _ = try await ledger.submit(JobSubmission(id: "other\(index)", type: "email"), by: Self.alice) }
        let claimed = try #require(try await ledger.claim(worker: "w1", types: ["bulk"], lease: 30))
        _ = try await ledger.complete(claimed.id, worker: "w1", attempt: claimed.attempt)

        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let jobs = try await browser.get("/jobs?type=bulk")
            #expect(jobs.text.contains("id=\"bulk-matching\""))
            #expect(!jobs.text.contains("id=\"matching-kill\""), "a user has no kill")
            let confirm = try await browser.get("/bulk/matching?action=cancel&type=bulk")
            #expect(confirm.status == 200)
            #expect(confirm.text.contains("<h1>Cancel the 230 matching jobs?</h1>"))
            #expect(confirm.text.contains("the filters <code>type</code> = <code>bulk</code>"))
            let csrf = try #require(confirm.hidden("csrf"))
            // Submitted after the confirmation: never touched.
            _ = try await ledger.submit(JobSubmission(id: "late", type: "bulk"), by: Self.alice)

            var form = try Self.fields(confirm, form: "").filter { $0.0 != "csrf" } + [("csrf", csrf), ("reason", Self.hostile)]
            #expect(form.contains { $0 == ("total", "230") })
            var parts = 0
            var last: Browser.Page? = nil
            while parts < 5 {
                let page = try await browser.post("/bulk/matching", form: form)
                #expect(page.status == 200)
                parts += 1
                last = page
                #expect(!page.text.contains("<script>window.pwned"))
                guard page.text.contains("id=\"continue-form\"") else { break }
                form = try Self.fields(page, form: "continue-form")
                #expect(form.contains { $0 == ("reason", Self.hostile) })
            }
            #expect(parts == 3)
            let final = try #require(last)
            #expect(final.text.contains("<h1>Cancel matching jobs: 230 of 230</h1>"))
            #expect(final.text.contains("<li><code class=\"outcome\">cancelled</code> 229</li>"))
            #expect(final.text.contains("<li><code class=\"outcome\">already_completed</code> 1</li>"))
            #expect(final.text.contains("id=\"bulk-finished\""))
        }
        // Every job counted was commanded once; the late one and the others are untouched.
        for index in 0..<230 where "m\(index)" != claimed.id {
            #expect(try ledger.job("m\(index)")?.state == .cancelled)
        }
        #expect(try ledger.job("late")?.state == .pending)
        #expect(try ledger.job("other0")?.state == .pending)
        #expect(try fixture.audit("late").count == 1, "only its submission")
        let reasons = try fixture.audit("m5").compactMap { $0["reason"] as? String }
        #expect(reasons.contains(Self.hostile))
    }

    @Test("a part posted without the session's form token is refused and nothing is cancelled; a filter naming another organisation is refused")
    func forgedAndForeignAreRefused() async throws {
        let fixture = try ServerFixture()
        for index in 0..<3 { _ = try await fixture.ledger.submit(JobSubmission(id: "f\(index)", type: "bulk"), by: Self.alice) }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let confirm = try await browser.get("/bulk/matching?action=cancel&type=bulk")
            let form = try Self.fields(confirm, form: "").filter { $0.0 != "csrf" } + [("reason", "forged")]
            let forged = try await browser.post("/bulk/matching", form: form)
            #expect(forged.status == 403)
            let foreign = try await browser.get("/bulk/matching?action=cancel&org=globex")
            #expect(foreign.status == 403)
            let none = try await browser.get("/bulk/matching?action=cancel&type=nothing-of-this-type")
            #expect(none.status == 400)
            #expect(none.text.contains("no jobs match these filters"))
        }
        for index in 0..<3 { #expect(try fixture.ledger.job("f\(index)")?.state == .pending) }
    }
}
