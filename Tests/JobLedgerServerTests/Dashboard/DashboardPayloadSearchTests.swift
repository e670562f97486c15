import Foundation
import JobLedger
import JobLedgerServer
import Testing

/// The jobs table's search by a payload field: what matches, how much one
/// page reads, how it goes on, and bad or hostile searches.
@Suite("dashboard payload search")
struct DashboardPayloadSearchTests {
    static let alice = Actor(id: "alice", role: .user, organisation: "acme")
    static let hostile = DashboardPageTests.hostile

    static func ids(_ page: Browser.Page) -> [String] {
        page.text.components(separatedBy: "<tr data-job-id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    static func next(_ page: Browser.Page) -> String? {
        guard let rel = page.text.range(of: "\" rel=\"next\""),
              let start = page.text[..<rel.lowerBound].range(of: "href=\"", options: .backwards)
        else { return nil }
        return String(page.text[start.upperBound..<rel.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
    }

    static func submitConcurrently(_ ledger: JobLedger, _ count: Int, _ make: @escaping @Sendable (Int) -> JobSubmission) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in stride(from: worker, to: count, by: 16) { _ = try await ledger.submit(make(index), by: alice) }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("a payload search lists the jobs whose field (nested or not) has the value, as string, number or boolean, and goes on from where a page stopped")
    func searchMatchesAndPages() async throws {
        let fixture = try ServerFixture()
        for index in 0..<120 {
            let payload = #"{"customer":\#(index % 7),"order":{"id":"A-\#(index)"},"vip":\#(index % 2 == 0),"name":"c\#(index)"}"#
            _ = try await fixture.ledger.submit(
                JobSubmission(id: "p\(String(format: "%03d", index))", type: index < 60 ? "email" : "sms", payload: payload), by: Self.alice)
        }
        _ = try await fixture.ledger.submit(JobSubmission(id: "not-object", type: "email", payload: "[1,2]"), by: Self.alice)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let customer = try await browser.get("/jobs?payload=" + Browser.encode("customer=3"))
            #expect(customer.status == 200)
            #expect(Self.ids(customer) == (0..<120).filter { $0 % 7 == 3 }.map { "p" + String(format: "%03d", $0) })
            #expect(customer.text.contains("this page read 121 jobs of the filtered listing"))
            #expect(customer.text.contains("the listing's end was reached"))
            #expect(Self.next(customer) == nil)
            // Nested, combined with a filter, and a string.
            #expect(Self.ids(try await browser.get("/jobs?type=sms&payload=" + Browser.encode("order.id=A-61"))) == ["p061"])
            #expect(Self.ids(try await browser.get("/jobs?type=email&payload=" + Browser.encode("order.id=A-61"))) == [])
            #expect(Self.ids(try await browser.get("/jobs?payload=" + Browser.encode("name=c7"))) == ["p007"])
            #expect(Self.ids(try await browser.get("/jobs?payload=" + Browser.encode("customer=3.0"))).count == 17)
            #expect(Self.ids(try await browser.get("/jobs?payload=" + Browser.encode("customer=c3"))) == [])
            // 60 jobs match: the first page stops after the part of the listing that holds its 50th.
            let vip = try await browser.get("/jobs?payload=" + Browser.encode("vip=true"))
            #expect(Self.ids(vip).count == 50)
            #expect(vip.text.contains("this page read 100 jobs"))
            let more = try #require(Self.next(vip))
            #expect(more.contains("payload=vip%3Dtrue"))
            let rest = try await browser.get(more)
            #expect(Self.ids(rest) == (100..<120).filter { $0 % 2 == 0 }.map { "p" + String(format: "%03d", $0) })
            #expect(Set(Self.ids(vip) + Self.ids(rest)).count == 60)
            // No action on every matching job with a payload search.
            #expect(!vip.text.contains("id=\"bulk-matching\""))
            #expect(try await browser.get("/bulk/matching?action=cancel&payload=vip%3Dtrue").status == 400)
        }
    }

    @Test("a page of a payload search reads at most 5,000 jobs and says so; the next page goes on from there")
    func searchIsBounded() async throws {
        let fixture = try ServerFixture()
        try await Self.submitConcurrently(fixture.ledger, 5_100) { index in
            JobSubmission(id: "b\(index)", type: "bulk", payload: #"{"n":\#(index)}"#)
        }
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let first = try await browser.get("/jobs?payload=" + Browser.encode("n=-1"))
            #expect(Self.ids(first).isEmpty)
            #expect(first.text.contains("this page read 5000 jobs of the filtered listing, in submission order from the first"))
            let next = try #require(Self.next(first))
            let second = try await browser.get(next)
            #expect(second.text.contains("this page read 100 jobs of the filtered listing, in submission order after the previous page"))
            #expect(Self.next(second) == nil)
        }
    }

    @Test("a payload search without field=value is refused with what was wrong; hostile text is shown as text")
    func badAndHostileSearches() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.ledger.submit(
            JobSubmission(id: "h1", type: "email", payload: #"{"note":"<b>x</b>"}"#), by: Self.alice)
        try await fixture.withLiveBrowser { browser in
            try await browser.signIn(fixture.user)
            let missing = try await browser.get("/jobs?payload=" + Browser.encode("customer"))
            #expect(missing.status == 400)
            #expect(missing.text.contains("is not field=value"))
            let empty = try await browser.get("/jobs?payload=" + Browser.encode("=3"))
            #expect(empty.status == 400)
            #expect(empty.text.contains("the field name before"))
            let hostile = try await browser.get("/jobs?payload=" + Browser.encode(Self.hostile))
            #expect(!hostile.text.contains("<script>window.pwned"))
            let value = try await browser.get("/jobs?payload=" + Browser.encode("note=" + Self.hostile))
            #expect(value.status == 200)
            #expect(!value.text.contains("<script>window.pwned"))
            #expect(value.text.contains("note=&lt;script&gt;"))
            #expect(Self.ids(try await browser.get("/jobs?payload=" + Browser.encode("note=<b>x</b>"))) == ["h1"])
        }
    }
}
