import EventStore
import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// The events page: its filters, its live stream, its export, who may see
/// it, and escaping of what users wrote.
@Suite("dashboard events page")
struct DashboardEventsTests {
    static let alice = Actor(id: "alice", role: .user, organisation: "acme")
    static let bob = Actor(id: "bob", role: .user, organisation: "globex")
    static let hostile = DashboardPageTests.hostile

    /// Rows of the events table, as `(stream, type, actor)`.
    static func rows(_ page: Browser.Page) -> [(stream: String, type: String, actor: String)] {
        page.text.components(separatedBy: "<tr data-position=").dropFirst().map { row in
            func cell(_ label: String) -> String {
                guard let start = row.range(of: "data-label=\"\(label)\"") else { return "" }
                let rest = row[start.upperBound...].drop { $0 != ">" }.dropFirst()
                var text = String(rest.prefix { $0 != "<" })
                if text.isEmpty, let link = rest.range(of: "\">") { text = String(rest[link.upperBound...].prefix { $0 != "<" }) }
                return text
            }
            return (cell("Stream"), cell("Type"), cell("Actor"))
        }
    }

    @Test("the events page filters by type, stream prefix and actor together, and only the system sees it")
    func filters() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        _ = try await ledger.submit(JobSubmission(id: "a1", type: "email"), by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "a2", type: "sms"), by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "b1", type: "email"), by: Self.bob)
        _ = try await ledger.cancel("a1", by: Self.alice, reason: "not needed")
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.system)
            let submitted = Self.rows(try await browser.get("/events?type=JobSubmitted"))
            #expect(submitted.map { $0.stream } == ["job-b1", "job-a2", "job-a1"], "newest first")
            let alices = Self.rows(try await browser.get("/events?actor=alice"))
            #expect(alices.allSatisfy { $0.actor == "alice" }, "\(alices)")
            #expect(alices.filter { $0.type == "JobSubmitted" }.map { $0.stream } == ["job-a2", "job-a1"])
            #expect(alices.contains { $0.type == "JobCancelled" && $0.stream == "job-a1" })
            #expect(!alices.contains { $0.stream.hasSuffix("b1") })
            let audits = Self.rows(try await browser.get("/events?stream=audit-a&actor=alice"))
            #expect(!audits.isEmpty)
            #expect(audits.allSatisfy { $0.stream.hasPrefix("audit-a") && $0.actor == "alice" })
            let all = Self.rows(try await browser.get("/events?type=JobCancelled&stream=job-a&actor=alice"))
            #expect(all.map { $0.stream } == ["job-a1"])
            let none = try await browser.get("/events?actor=nobody")
            #expect(none.text.contains("No events match."))
            #expect(Self.rows(none).isEmpty)
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.admin)
            #expect(try await browser.get("/events").status == 403)
            #expect(try await browser.get("/events/export?format=csv").status == 403)
            #expect(try await browser.get("/live?view=events").status == 403)
            #expect(!(try await browser.get("/jobs").text.contains("href=\"/events\"")))
        }
    }

    @Test("the export of a type is byte for byte the command line's export (JSON Lines with digests, CSV), and a prefix or actor keeps the chain over the lines kept")
    func exportText() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        let payload = "{\"note\": \"a, \\\"quoted\\\"\\nline\"}"
        for index in 0..<6 {
            _ = try await ledger.submit(JobSubmission(id: "e\(index)", type: "email", payload: payload), by: index % 2 == 0 ? Self.alice : Self.bob)
        }
        _ = try await ledger.cancel("e1", by: Self.bob, reason: "=SUM(A1)")
        let store = ledger.store
        @Sendable func exported(_ format: ExportFormat, _ selection: ExportSelection) throws -> String {
            var text = ""
            try store.exportEvents(to: &text, format: format, selection: selection)
            return text
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.system)
            let jsonl = try await browser.get("/events/export?format=jsonl&type=JobSubmitted")
            #expect(jsonl.status == 200)
            #expect(jsonl.headers[.contentType] == "application/jsonl; charset=utf-8")
            #expect(jsonl.headers[.contentDisposition] == "attachment; filename=\"events.jsonl\"")
            #expect(jsonl.text == (try exported(.chainedJSONLines, ExportSelection(types: ["JobSubmitted"]))))
            #expect(jsonl.text.split(separator: "\n").count == 7, "six events and the closing line")
            let csv = try await browser.get("/events/export?format=csv&type=JobCancelled")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text == (try exported(.csv, ExportSelection(types: ["JobCancelled"]))))
            let whole = try await browser.get("/events/export?format=csv")
            #expect(whole.text == (try exported(.csv, .all)))
            #expect(try await browser.get("/events/export").text == (try exported(.chainedJSONLines, .all)))

            // A prefix that is exactly one stream: the same text as the
            // export of that stream, digests included.
            let stream = try await browser.get("/events/export?format=jsonl&stream=audit-e1")
            #expect(stream.text == (try exported(.chainedJSONLines, ExportSelection(streamID: "audit-e1"))))
            let streamCSV = try await browser.get("/events/export?format=csv&stream=job-e1")
            #expect(streamCSV.text == (try exported(.csv, ExportSelection(streamID: "job-e1"))))

            // An actor: the plain lines of that actor's events, each chained.
            let bobs = try await browser.get("/events/export?format=jsonl&actor=bob&stream=job-")
            let plain = try exported(.jsonLines, .all).split(separator: "\n").filter {
                $0.contains("\"actor\":\"bob\"") && $0.hasPrefix("{\"position\":") && $0.contains("\"stream\":\"job-")
            }
            let lines = bobs.text.split(separator: "\n")
            #expect(lines.count == plain.count + 1)
            #expect(plain.count == 4, "three submissions and a cancel")
            for (line, expected) in zip(lines, plain) {
                let cut = try #require(line.range(of: ",\"digest\":\""))
                #expect(line[..<cut.lowerBound] == expected.dropLast())
            }
            #expect(lines.last?.hasPrefix("{\"count\":4,\"digest\":\"") == true)
            let bad = try await browser.get("/events/export?format=xml")
            #expect(bad.status == 400)
            #expect(bad.text.contains("format: &#39;xml&#39; is not jsonl or csv"))
        }
    }

    @Test("the events page's live stream sends only the events its filters match, with their fields, for the system only")
    func liveEvents() async throws {
        var limits = ServerLimits()
        limits.maxStreamDuration = .milliseconds(1500)
        let fixture = try ServerFixture(limits: limits)
        let ledger = fixture.ledger
        let start = try ledger.store.lastPosition()
        _ = try await ledger.submit(JobSubmission(id: "l1", type: "email"), by: Self.alice)
        _ = try await ledger.submit(JobSubmission(id: "l2", type: "email"), by: Self.bob)
        _ = try await ledger.cancel("l1", by: Self.alice, reason: Self.hostile)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.system)
            let page = try await browser.get("/events?type=JobCancelled&actor=alice")
            #expect(page.text.contains("data-live=\"/live?view=events&amp;type=JobCancelled&amp;actor=alice\""))
            let stream = try await browser.get("/live?view=events&type=JobCancelled&actor=alice&after=\(start)")
            #expect(stream.status == 200)
            let data = stream.text.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
            let events = data.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(events.count == 1, "\(stream.text)")
            #expect(events.first?["stream"] as? String == "job-l1")
            #expect(events.first?["job"] as? String == "l1")
            #expect(events.first?["actor"] as? String == "alice")
            #expect((events.first?["data"] as? String)?.contains("<script>window.pwned=1</script>") == true, "sent as data, set as text by the script")
            #expect(stream.text.contains("event: event"))
            #expect(try await browser.get("/live?view=nothing").status == 400)
        }
    }

    @Test("hostile text in a job's type, payload and reason, and in every filter field, is escaped on the events page")
    func escaping() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        let payload = "{\"note\": \"\(Self.hostile.replacingOccurrences(of: "\"", with: "\\\""))\"}"
        _ = try await ledger.submit(JobSubmission(id: "h1", type: Self.hostile, payload: payload), by: Self.alice)
        _ = try await ledger.cancel("h1", by: Self.alice, reason: Self.hostile)
        let encoded = Browser.encode(Self.hostile)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.system)
            let pages = [
                try await browser.get("/events"),
                try await browser.get("/events?type=\(encoded)&stream=\(encoded)&actor=\(encoded)"),
            ]
            for page in pages {
                #expect(page.status == 200)
                #expect(!page.text.contains("<script>window"), "\(page.text)")
                #expect(!page.text.contains("\"onmouseover"))
                #expect(page.text.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"))
                #expect(page.text.components(separatedBy: "<script").count == 2, "only the server's own script")
            }
            #expect(pages[1].text.contains("value=\"&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;onmouseover=&quot;window.pwned=1\""))
            #expect(pages[1].text.contains("href=\"/events/export?type=%3Cscript%3E"), "the export links percent-encode the filters")
        }
    }
}
