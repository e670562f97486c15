import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// The overview against a live server: counts from the tallies, the queue
/// by type, the hour and day charts, the longest running and the stuck
/// jobs, each scoped to the session's token, hostile text shown as text.
@Suite("dashboard overview")
struct DashboardOverviewTests {
    static let alice = Actor(id: "alice", role: .user, organisation: "acme")
    static let bob = Actor(id: "bob", role: .user, organisation: "globex")
    static let hostile = "<script>window.pwned=1</script>\"onmouseover=\"window.pwned=1"

    /// The text of the `<section>` whose heading is `title`.
    static func section(_ page: String, _ title: String) -> String {
        guard let start = page.range(of: "<h2>\(title)</h2>") else { return "" }
        let rest = page[start.upperBound...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    /// The count in the row of `label` of a counts table.
    static func count(_ html: String, row label: String) -> Int? {
        guard let start = html.range(of: label) else { return nil }
        let rest = html[start.upperBound...]
        guard let cell = rest.range(of: "<td>"), let end = rest[cell.upperBound...].firstIndex(of: "<") else { return nil }
        return Int(rest[cell.upperBound..<end])
    }

    @Test("the system's overview counts every job by state and type, the queue by type, finished jobs in both charts, and lists the longest running and the stuck jobs")
    func systemOverview() async throws {
        // The ledger's clock starts ten minutes ago, so the jobs are due
        // since then; moving it to now ends the leases taken meanwhile.
        let time = TestTime(Date().addingTimeInterval(-600))
        let fixture = try ServerFixture(clock: { time.current })
        let ledger = fixture.ledger
        for index in 0..<9 {
            _ = try await ledger.submit(JobSubmission(id: "e\(index)", type: "email", maxAttempts: 1), by: Self.alice)
        }
        for index in 0..<4 { _ = try await ledger.submit(JobSubmission(id: "r\(index)", type: Self.hostile), by: Self.bob) }
        _ = try await ledger.submit(
            JobSubmission(id: "later", type: "email", runAt: Date().addingTimeInterval(7200)), by: Self.alice)
        for _ in 0..<3 {
            let job = try #require(try await ledger.claim(worker: "w1", types: ["email"], lease: 30))
            _ = try await ledger.complete(job.id, worker: "w1", attempt: job.attempt)
        }
        let failing = try #require(try await ledger.claim(worker: "w1", types: ["email"], lease: 30))
        _ = try await ledger.fail(failing.id, worker: "w1", attempt: failing.attempt, error: "bounced", retryable: false)
        let held = try #require(try await ledger.claim(worker: "w-slow", types: [Self.hostile], lease: 30))
        time.advance(600)
        let running = try #require(try await ledger.claim(worker: "w-fresh", types: ["email"], lease: 300))

        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.system)
            let page = try await browser.get("/overview")
            #expect(page.status == 200)
            let states = Self.section(page.text, "Jobs by state")
            #expect(Self.count(states, row: ">pending<") == 3 + 5)
            #expect(Self.count(states, row: ">running<") == 2)
            #expect(Self.count(states, row: ">completed<") == 3)
            #expect(Self.count(states, row: ">failed<") == 1)
            // The queue: 4 emails due (one scheduled for later), 3 of the hostile type.
            let queue = Self.section(page.text, "Queue depth by type")
            #expect(queue.contains("<td data-label=\"In the queue\">4</td><td data-label=\"Scheduled\">1</td>"))
            #expect(queue.contains("<td data-label=\"In the queue\">3</td><td data-label=\"Scheduled\">0</td>"))
            // By type: totals and the failure rate of the finished.
            #expect(page.text.contains("<td data-label=\"Jobs\">10</td>"))
            #expect(page.text.contains("<td data-label=\"Failed of finished\">25.0 %</td>"))
            // Both charts: 3 completed and 1 failed, whatever minute they fell in.
            #expect(page.text.contains("3 jobs completed, 1 failed and 0 cancelled or killed in the last hour; failure rate 25.0 %"))
            #expect(page.text.contains("3 jobs completed, 1 failed and 0 cancelled or killed in the last day; failure rate 25.0 %"))
            #expect(page.text.components(separatedBy: "<figure class=\"chart\">").count == 3)
            // The longest running first; the job whose lease ended is stuck,
            // as are the pending jobs due for ten minutes.
            let longest = Self.section(page.text, "Longest running")
            let heldAt = try #require(longest.range(of: ">\(held.id)<")), freshAt = try #require(longest.range(of: ">\(running.id)<"))
            #expect(heldAt.lowerBound < freshAt.lowerBound)
            let stuck = Self.section(page.text, "Stuck")
            #expect(stuck.contains(">\(held.id)</a>") && stuck.contains("lease ended 9 min"))
            #expect(!stuck.contains(">\(running.id)</a>"))
            #expect(stuck.contains(">r1</a>") && stuck.contains("not claimed"))
            #expect(!stuck.contains(">later</a>"))
            // The hostile type is text wherever it is shown.
            #expect(!page.text.contains("<script>window.pwned"))
            #expect(page.text.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;onmouseover=&quot;"))
        }
    }

    @Test("an admin's overview counts their organisation's jobs only and has no chart; a user's counts their own jobs")
    func scopedOverview() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        for index in 0..<3 { _ = try await ledger.submit(JobSubmission(id: "a\(index)", type: "email"), by: Self.alice) }
        _ = try await ledger.submit(JobSubmission(id: "c1", type: "email"), by: Actor(id: "carol", role: .user, organisation: "acme"))
        for index in 0..<5 { _ = try await ledger.submit(JobSubmission(id: "b\(index)", type: "sms"), by: Self.bob) }
        _ = try #require(try await ledger.claim(worker: "w1", types: ["sms"], lease: 30))
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            let admin = try await browser.get("/overview")
            #expect(admin.status == 200)
            #expect(Self.count(Self.section(admin.text, "Jobs by state"), row: ">pending<") == 4)
            #expect(Self.count(Self.section(admin.text, "Jobs by state"), row: ">running<") == 0)
            #expect(!admin.text.contains(">sms<"), "another organisation's type is not named")
            #expect(!admin.text.contains("<figure class=\"chart\">"))
            #expect(Self.section(admin.text, "Longest running").contains("No job is running"))
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let user = try await browser.get("/overview")
            #expect(user.status == 200)
            #expect(Self.count(Self.section(user.text, "Jobs by state"), row: ">pending<") == 3)
            #expect(user.text.contains("Counts over your jobs"))
        }
    }
}
