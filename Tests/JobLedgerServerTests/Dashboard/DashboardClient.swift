import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Logging
import Synchronization
import Testing

/// A browser's part in the dashboard tests: it keeps the cookies the
/// server sets and sends them back, and reads form tokens out of pages.
final class Browser: Sendable {
    let client: any TestClientProtocol
    private let jar = Mutex<(cookies: [String: String], lastSetCookies: [String])>(([:], []))

    /// Cookies by name, as the server last set them.
    var cookies: [String: String] {
        get { jar.withLock { $0.cookies } }
        set { jar.withLock { $0.cookies = newValue } }
    }

    /// Every `Set-Cookie` header of the last answer.
    var lastSetCookies: [String] { jar.withLock { $0.lastSetCookies } }

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page: Sendable {
        let status: Int
        let text: String
        let headers: HTTPFields
        var location: String? { headers[.location] }

        /// The value of the hidden field `name` in the page's first form holding one.
        func hidden(_ name: String) -> String? {
            guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
            let rest = text[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    func get(_ uri: String) async throws -> Page { try await send(.get, uri, form: nil) }

    func post(_ uri: String, form: [(String, String)]) async throws -> Page { try await send(.post, uri, form: form) }

    func send(_ method: HTTPRequest.Method, _ uri: String, form: [(String, String)]?) async throws -> Page {
        var headers = HTTPFields()
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        }
        var body: ByteBuffer? = nil
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&"))
        }
        let page = try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            Page(status: Int(response.status.code), text: String(buffer: response.body), headers: response.headers)
        }
        let setCookies = page.headers[values: .setCookie]
        jar.withLock { jar in
            jar.lastSetCookies = setCookies
            for header in setCookies {
                let pair = header.split(separator: ";")[0]
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
                jar.cookies[name] = value.isEmpty || header.contains("Max-Age=0") ? nil : value
            }
        }
        return page
    }

    /// Loads the sign-in form and signs in with `token`.
    @discardableResult
    func signIn(_ token: String) async throws -> Page {
        let form = try await get("/login")
        let nonce = try #require(form.hidden("nonce"))
        return try await post("/login", form: [("nonce", nonce), ("token", token)])
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension ServerFixture {
    /// Runs `body` against the server listening on a loopback port.
    func withLiveBrowser<Value: Sendable>(_ body: @Sendable (Browser) async throws -> Value) async throws -> Value {
        var logger = Logger(label: "jobledger.test")
        logger.logLevel = .warning
        let app = Application(router: server.buildRouter(), logger: logger)
        return try await app.test(.live) { client in try await body(Browser(client)) }
    }
}
