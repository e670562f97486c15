import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// Bulk actions on the jobs table and the batch kill: one confirmation,
/// each job's outcome as the ledger gave it, form tokens, role-dependent
/// buttons and escaping.
@Suite("dashboard bulk actions")
struct DashboardBulkTests {
    static let alice = Actor(id: "alice", role: .user, organisation: "acme")
    static let bob = Actor(id: "bob", role: .user, organisation: "globex")
    static let hostile = DashboardPageTests.hostile

    /// The outcome the result page shows for each job, by job id.
    static func outcomes(_ page: Browser.Page) -> [String: String] {
        var result: [String: String] = [:]
        for row in page.text.components(separatedBy: "<tr data-job-id=\"").dropFirst() {
            let id = String(row.prefix { $0 != "\"" })
            guard let start = row.range(of: "<code class=\"outcome\">") else { continue }
            result[id] = String(row[start.upperBound...].prefix { $0 != "<" })
        }
        return result
    }

    /// Submits `id` as `actor` and runs it to completion.
    static func completed(_ ledger: JobLedger, _ id: String, by actor: Actor, batch: String? = nil) async throws {
        _ = try await ledger.submit(JobSubmission(id: id, type: "email", batch: batch), by: actor)
        let claimed = try #require(try await ledger.claim(worker: "w1", lease: 30))
        _ = try await ledger.complete(id, worker: "w1", attempt: claimed.attempt, result: "{}")
    }

    @Test("a bulk cancel confirms the selected jobs, then answers each as the ledger did: cancelled, already_completed, forbidden, not_found")
    func bulkCancelOutcomes() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        try await Self.completed(ledger, "done", by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "open", type: "email"), by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "theirs", type: "email"), by: Self.bob)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let table = try await browser.get("/jobs")
            #expect(table.text.contains("<input type=\"checkbox\" name=\"job\" value=\"open\" aria-label=\"Select job open\">"))
            #expect(table.text.contains("id=\"bulk-cancel\""))
            #expect(!table.text.contains("id=\"bulk-kill\""), "a user may not kill")
            let confirm = try await browser.get("/bulk?action=cancel&job=open&job=done&job=theirs&job=ghost&job=open")
            #expect(confirm.status == 200)
            #expect(confirm.text.contains("Cancel 4 jobs?"), "each job once")
            #expect(confirm.text.components(separatedBy: "not found, or not one you may see").count - 1 == 2)
            #expect(try ledger.job("open")?.state == .pending, "the confirmation changes nothing")
            let csrf = try #require(confirm.hidden("csrf"))
            let form = [("csrf", csrf), ("action", "cancel"), ("reason", "tidy up"),
                        ("job.0", "open"), ("job.1", "done"), ("job.2", "theirs"), ("job.3", "ghost")]
            let result = try await browser.post("/bulk", form: form)
            #expect(result.status == 200)
            #expect(Self.outcomes(result) == ["open": "cancelled", "done": "already_completed", "theirs": "forbidden", "ghost": "not_found"])
            #expect(result.text.contains("1 of 4 done as asked"))
            #expect(result.text.contains("at event JobCompleted (position"), "already_completed says when and at which event")
            #expect(!result.text.contains("href=\"/jobs/theirs\""), "no link to a job the user may not see")
            #expect(try ledger.job("open")?.state == .cancelled)
            #expect(try ledger.job("theirs")?.state == .pending)
            #expect(try fixture.audit("theirs").last?["outcome"] as? String == "forbidden", "the refusal is audited")
            #expect(try fixture.audit("open").last?["reason"] as? String == "tidy up")
        }
    }

    @Test("a bulk post without the session's form token, or with another session's, is refused and writes nothing; so is a batch kill")
    func forgedBulkPosts() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        _ = try await ledger.submit(JobSubmission(id: "f1", type: "email", batch: "nightly"), by: Self.alice)
        let other = try await DashboardPageTests.csrf(fixture, token: fixture.user)
        let before = try ledger.store.lastPosition()
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            for token in [nil, "", other] {
                var form = [("action", "kill"), ("reason", "forged"), ("job.0", "f1")]
                if let token { form.append(("csrf", token)) }
                let bulk = try await browser.post("/bulk", form: form)
                #expect(bulk.status == 403)
                #expect(bulk.text.contains("form token"))
                form.removeFirst(3)
                form.append(("reason", "forged"))
                let batch = try await browser.post("/batches/nightly/kill", form: form)
                #expect(batch.status == 403)
            }
            #expect(try ledger.store.lastPosition() == before, "nothing was appended to the log")
            #expect(try ledger.job("f1")?.state == .pending)
        }
    }

    @Test("kill and retry in bulk follow the role: a user's forged bulk kill is forbidden per job, an admin's kills and retries")
    func bulkKillAndRetry() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        _ = try await ledger.submit(JobSubmission(id: "k1", type: "email"), by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "k2", type: "email"), by: Self.alice)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let csrf = try #require(try await browser.get("/jobs").hidden("csrf"))
            let forged = try await browser.post("/bulk", form: [("csrf", csrf), ("action", "kill"), ("reason", "x"), ("job.0", "k1"), ("job.1", "k2")])
            #expect(Self.outcomes(forged) == ["k1": "forbidden", "k2": "forbidden"])
            #expect(try ledger.job("k1")?.state == .pending)
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            let table = try await browser.get("/jobs")
            #expect(table.text.contains("id=\"bulk-kill\""))
            let csrf = try #require(table.hidden("csrf"))
            let noReason = try await browser.post("/bulk", form: [("csrf", csrf), ("action", "kill"), ("reason", " "), ("job.0", "k1")])
            #expect(noReason.status == 400)
            #expect(noReason.text.contains("a reason is required to kill jobs; nothing was done"))
            let none = try await browser.get("/bulk?action=cancel")
            #expect(none.status == 400)
            #expect(none.text.contains("no jobs were selected"))
            let killed = try await browser.post("/bulk", form: [("csrf", csrf), ("action", "kill"), ("reason", "runaway"), ("job.0", "k1"), ("job.1", "k2")])
            #expect(Self.outcomes(killed) == ["k1": "killed", "k2": "killed"])
            let retried = try await browser.post("/bulk", form: [("csrf", csrf), ("action", "retry"), ("job.0", "k1"), ("job.1", "k2")])
            #expect(Self.outcomes(retried) == ["k1": "retried", "k2": "retried"])
            #expect(try ledger.job("k2")?.state == .pending)
        }
    }

    @Test("kill the batch from a job of a batch: the ledger's batch kill with each job's outcome; no button for a user")
    func batchKill() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        try await Self.completed(ledger, "n0", by: Self.alice, batch: "nightly")
        _ = try await ledger.submit(JobSubmission(id: "n1", type: "email", batch: "nightly"), by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "n2", type: "sms", batch: "nightly"), by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "solo", type: "sms"), by: Self.alice)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            #expect(!(try await browser.get("/jobs/n1").text.contains("id=\"action-kill-batch\"")))
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            let job = try await browser.get("/jobs/n1")
            #expect(job.text.contains("<a class=\"button danger\" id=\"action-kill-batch\" href=\"/batches/nightly/kill\">"))
            #expect(!(try await browser.get("/jobs/solo").text.contains("action-kill-batch")))
            let confirm = try await browser.get("/batches/nightly/kill")
            #expect(confirm.status == 200)
            #expect(confirm.text.components(separatedBy: "<tr data-job-id=").count - 1 == 3)
            let csrf = try #require(confirm.hidden("csrf"))
            let blank = try await browser.post("/batches/nightly/kill", form: [("csrf", csrf), ("reason", "")])
            #expect(blank.status == 400)
            #expect(try ledger.job("n1")?.state == .pending)
            let result = try await browser.post("/batches/nightly/kill", form: [("csrf", csrf), ("reason", "bad data")])
            #expect(result.status == 200)
            #expect(Self.outcomes(result) == ["n0": "already_completed", "n1": "killed", "n2": "killed"])
            #expect(try ledger.job("n2")?.state == .killed)
            #expect(try ledger.job("solo")?.state == .pending)
            #expect(try await browser.get("/batches/empty/kill").status == 404)
        }
    }

    @Test("hostile text in a type, a reason and a selected id is escaped on the bulk pages")
    func escaping() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        _ = try await ledger.submit(JobSubmission(id: "x1", type: Self.hostile, batch: "b1"), by: Self.alice)
        let encoded = Browser.encode(Self.hostile)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            let confirm = try await browser.get("/bulk?action=cancel&job=x1&job=\(encoded)")
            let csrf = try #require(confirm.hidden("csrf"))
            let result = try await browser.post("/bulk", form: [("csrf", csrf), ("action", "cancel"), ("reason", Self.hostile), ("job.0", "x1"), ("job.1", Self.hostile)])
            let batch = try await browser.get("/batches/b1/kill")
            for page in [confirm, result, batch] {
                #expect(!page.text.contains("<script>window"), "\(page.text)")
                #expect(!page.text.contains("\"onmouseover"))
                #expect(page.text.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"))
                #expect(page.text.components(separatedBy: "<script").count == 2)
            }
            #expect(try ledger.job("x1")?.state == .cancelled)
        }
    }
}
