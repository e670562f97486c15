import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// The dashboard's live stream: cookie-authenticated, narrowed to the jobs
/// the session may see.
@Suite("dashboard live stream")
struct DashboardLiveTests {
    @Test("the live stream sends the events of the session's own jobs with their state now, and none of another organisation's jobs")
    func liveStreamIsScopedToTheSession() async throws {
        var limits = ServerLimits()
        limits.maxStreamDuration = .milliseconds(1500)
        let fixture = try ServerFixture(limits: limits)
        let ledger = fixture.ledger
        let start = try ledger.store.lastPosition()
        _ = try await ledger.submit(JobSubmission(id: "mine", type: "email"), by: Actor(id: "alice", role: .user, organisation: "acme"))
        _ = try await ledger.submit(JobSubmission(id: "theirs", type: "email"), by: Actor(id: "bob", role: .user, organisation: "globex"))
        _ = try await ledger.cancel("mine", by: Actor(id: "alice", role: .user, organisation: "acme"), reason: "no")
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let stream = try await browser.get("/live?after=\(start)")
            #expect(stream.status == 200)
            #expect(stream.headers[.contentType] == "text/event-stream")
            let data = stream.text.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
            let events = data.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(!events.isEmpty)
            #expect(events.allSatisfy { $0["job"] as? String == "mine" }, "\(stream.text)")
            #expect(events.allSatisfy { $0["state"] as? String == "cancelled" })
            #expect(events.contains { $0["type"] as? String == "JobCancelled" })
            #expect(!stream.text.contains("theirs"))
        }
    }

    @Test("a token revoked while a live stream is open ends the stream at the next event, which it does not send")
    func revokedTokenEndsTheLiveStream() async throws {
        var limits = ServerLimits()
        limits.maxStreamDuration = .seconds(20)
        let fixture = try ServerFixture(limits: limits)
        let carol = Actor(id: "carol", role: .user, organisation: "acme")
        let issued = try fixture.ledger.issueToken(for: carol)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(issued.text)
            let opened = ContinuousClock.now
            let stream = Task { try await browser.get("/live") }
            try await Task.sleep(for: .milliseconds(500))
            _ = try fixture.ledger.revokeToken(id: issued.token.id)
            _ = try await fixture.ledger.submit(JobSubmission(id: "after-revoke", type: "email"), by: carol)
            let answer = try await stream.value
            #expect(ContinuousClock.now - opened < .seconds(10), "ended by the revocation, not by the stream's longest duration")
            #expect(!answer.text.contains("after-revoke"))
        }
    }

    @Test("the jobs page's stream sends each new job that passes the page's filters as the table's row, escaped, and nothing new for the others")
    func newJobsComeAsRowsOfTheTable() async throws {
        var limits = ServerLimits()
        limits.maxStreamDuration = .milliseconds(1500)
        let fixture = try ServerFixture(limits: limits)
        let ledger = fixture.ledger
        let alice = Actor(id: "alice", role: .user, organisation: "acme")
        let hostile = "<script>window.pwned=1</script>\"onmouseover=\"window.pwned=1"
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let page = try await browser.get("/jobs?type=" + Browser.encode(hostile))
            // The page names the stream with its filters.
            let live = try #require(page.text.range(of: "data-live=\"").map { page.text[$0.upperBound...].prefix { $0 != "\"" } })
            let stream = String(live).replacingOccurrences(of: "&amp;", with: "&")
            #expect(stream.hasPrefix("/live?view=jobs&rows=new&type="))
            let start = try ledger.store.lastPosition()
            _ = try await ledger.submit(JobSubmission(id: "match", type: hostile, payload: #"{"n":1}"#), by: alice)
            _ = try await ledger.submit(JobSubmission(id: "other-type", type: "email"), by: alice)
            _ = try await ledger.submit(
                JobSubmission(id: "other-org", type: hostile), by: Actor(id: "bob", role: .user, organisation: "globex"))
            let answer = try await browser.get(stream + "&after=\(start)")
            #expect(answer.status == 200)
            let messages = answer.text.components(separatedBy: "\n\n").filter { $0.contains("event: new") }
            #expect(messages.count == 1, "\(answer.text)")
            let data = try #require(messages.first?.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst(6))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            #expect(object["job"] as? String == "match")
            let row = try #require(object["row"] as? String)
            #expect(row.hasPrefix("<tr data-job-id=\"match\">"))
            #expect(row.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;onmouseover=&quot;"))
            #expect(!row.contains("<script>"))
            #expect(!answer.text.contains("other-org"))
            // Without rows=new the stream sends state changes only, as before.
            let plain = try await browser.get("/live?after=\(start)")
            #expect(!plain.text.contains("event: new"))
            #expect(plain.text.contains("other-type"))
        }
    }
}
