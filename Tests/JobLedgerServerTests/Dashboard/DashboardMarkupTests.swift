@testable import JobLedgerServer
import Testing

/// The one escaping path and the form parser, on their own.
@Suite("dashboard markup")
struct DashboardMarkupTests {
    @Test("interpolated strings are escaped for element content and quoted attributes; markup values are not escaped twice")
    func interpolationEscapes() {
        let value = "<a href='x'>\"&\"</a>"
        let inner: HTML = "<b>\(value)</b>"
        let outer: HTML = "<p title=\"\(value)\">\(inner)</p>"
        #expect(inner.text == "<b>&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;</b>")
        #expect(outer.text == "<p title=\"&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;\">\(inner.text)</p>")
    }

    @Test("links built from ids percent-encode everything but unreserved characters")
    func pathsAreEncoded() {
        #expect(URLPath.job("a:b/../c", "cancel") == "/jobs/a%3Ab%2F..%2Fc/cancel")
        #expect(URLPath.query("/jobs", [("type", "a b&c"), ("org", nil), ("owner", "")]) == "/jobs?type=a%20b%26c")
    }

    @Test("form bodies decode + and percent escapes; broken escapes, bad UTF-8 and repeated fields are refused")
    func formFields() throws {
        let form = try FormFields(Array("csrf=a%2Bb&reason=two+words%21&empty=".utf8))
        #expect(form["csrf"] == "a+b")
        #expect(form["reason"] == "two words!")
        #expect(form["empty"] == "")
        #expect(throws: Problem.self) { try FormFields(Array("a=%zz".utf8)) }
        #expect(throws: Problem.self) { try FormFields(Array("a=%4".utf8)) }
        #expect(throws: Problem.self) { try FormFields(Array("a=%FF".utf8)) }
        #expect(throws: Problem.self) { try FormFields(Array("a=1&a=2".utf8)) }
    }

    @Test("session ids are 43 random base64url characters, different each time")
    func randomIDs() {
        let ids = Set((0..<100).map { _ in RandomText.make() })
        #expect(ids.count == 100)
        #expect(ids.allSatisfy { $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
        #expect(RandomText.same("abc", "abc"))
        #expect(!RandomText.same("abc", "abd"))
        #expect(!RandomText.same("abc", "ab"))
    }
}
