import AsyncHTTPClient
import Foundation
import LedgerWire
import NIOCore
import NIOHTTP1
import Synchronization

/// Typed calls to a `jobledger serve` server.
///
/// Every request carries the client's bearer token; the server takes the
/// caller's actor, role, organisation and worker id from it. Connections
/// are kept alive in a pool (``LedgerClientConfiguration/maximumConnections``)
/// and reused by later requests.
///
/// Errors: a refusal by the server throws ``LedgerProblem`` (the
/// problem+json answer); a request that got no usable answer throws
/// ``LedgerClientError``; a cancelled task throws `CancellationError`.
///
/// Call ``close()`` when done; a client dropped without it closes its
/// connections in the background.
public final class LedgerClient: Sendable {
    /// The server's base URL, such as `http://127.0.0.1:8080`.
    public let baseURL: String
    /// The configuration the client was made with.
    public let configuration: LedgerClientConfiguration
    private let token: String?
    private let connections: ConnectionPool
    private var http: HTTPClient { connections.http }

    /// Creates a client of the server at `baseURL` (`http://HOST:PORT`, with
    /// no path), sending `token` as `Authorization: Bearer <token>`.
    public init(baseURL: String, token: String?, configuration: LedgerClientConfiguration = .init()) throws {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil, url.path.isEmpty
        else { throw LedgerClientError.invalidURL(baseURL) }
        self.baseURL = base
        self.token = token
        self.configuration = configuration
        self.connections = ConnectionPool(configuration)
    }

    private init(sharing other: LedgerClient, token: String?) {
        baseURL = other.baseURL
        configuration = other.configuration
        connections = other.connections
        self.token = token
    }

    /// A client for another identity that shares this client's connections.
    public func authenticated(with token: String?) -> LedgerClient {
        LedgerClient(sharing: self, token: token)
    }

    /// Closes the connections (shared with the clients made by
    /// ``authenticated(with:)``); requests made afterwards fail. A client
    /// dropped without closing closes its connections when the last client
    /// sharing them goes.
    public func close() async throws {
        try await connections.close()
    }

    // MARK: - Requests

    /// One answer, its body read whole.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer

        var data: Data { Data(body.readableBytesView) }
    }

    /// A request of the API: method, path under the base URL (`/v1/jobs`),
    /// query and JSON body.
    struct Call: Sendable {
        var method: HTTPMethod
        var path: String
        var query: [(String, String)] = []
        var body: Data?
        var headers: [(String, String)] = []
        /// Time added to the configured request timeout (a claim's wait).
        var extraTime: Duration = .zero

        /// `POST /v1/jobs`, for error messages.
        var label: String { "\(method.rawValue) \(path)" }
    }

    /// Sends `call`, reads the whole answer, and throws the problem of an
    /// error status.
    func perform(_ call: Call) async throws -> Answer {
        let response = try await start(call)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: configuration.maximumAnswerBytes)
        } catch {
            throw transportError(error, call)
        }
        let status = Int(response.status.code)
        if status >= 400 {
            throw LedgerProblem(
                status: status, body: Data(body.readableBytesView),
                retryAfterHeader: response.headers.first(name: "retry-after"), request: call.label)
        }
        return Answer(status: status, headers: response.headers, body: body)
    }

    /// Sends `call` and returns as soon as the head of the answer arrived,
    /// with its body still to be read; throws the problem of an error status.
    func stream(_ call: Call) async throws -> HTTPClientResponse {
        let response = try await start(call)
        let status = Int(response.status.code)
        if status >= 400 {
            let body = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
            throw LedgerProblem(
                status: status, body: Data(body.readableBytesView),
                retryAfterHeader: response.headers.first(name: "retry-after"), request: call.label)
        }
        return response
    }

    private func start(_ call: Call) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: try url(call))
        request.method = call.method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in call.headers { request.headers.add(name: name, value: value) }
        if let body = call.body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let timeout = configuration.requestTimeout + call.extraTime
        do {
            return try await http.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        } catch {
            throw transportError(error, call)
        }
    }

    private func transportError(_ error: any Error, _ call: Call) -> any Error {
        if Task.isCancelled || error is CancellationError { return CancellationError() }
        return LedgerClientError.transport(request: call.label, reason: String(describing: error))
    }

    private func url(_ call: Call) throws -> String {
        var text = baseURL + call.path
        if !call.query.isEmpty {
            text += "?" + call.query.map { "\(Self.encodeQuery($0.0))=\(Self.encodeQuery($0.1))" }.joined(separator: "&")
        }
        return text
    }

    /// One path segment: every character a segment may not hold as it is
    /// (`/`, `?`, `%`, spaces, non-ASCII) percent-encoded; the characters of
    /// job ids (letters, digits, `.`, `_`, `:`, `-`) go as they are.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? text
    }

    private static let segmentCharacters = unreservedCharacters.union(CharacterSet(charactersIn: "!$&'()*+,;=:@"))

    private static func encodeQuery(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreservedCharacters) ?? text
    }

    private static let unreservedCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    // MARK: - JSON

    /// Decodes an answer body as `type`.
    func decode<T: Decodable>(_ type: T.Type, _ answer: Answer, _ call: Call) throws -> T {
        do {
            return try LedgerJSON.decoder().decode(T.self, from: answer.data)
        } catch {
            throw LedgerClientError.malformedAnswer(request: call.label, reason: String(describing: error))
        }
    }

    /// Encodes a request body.
    func encode<T: Encodable>(_ value: T) throws -> Data {
        try LedgerJSON.encoder().encode(value)
    }
}

/// The JSON coders of the wire format: times as ISO-8601 UTC strings.
enum LedgerJSON {
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = LedgerTimestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO-8601 UTC time")
            }
            return date
        }
        return decoder
    }

    static func encoder() -> JSONEncoder {
        LedgerJSONEncoding.encoder(dateText: { LedgerTimestamp.format($0) })
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : sum
    }
}

/// The kept-alive connections of a client and of the clients sharing them;
/// closed once, by ``LedgerClient/close()`` or when the last client goes.
private final class ConnectionPool: Sendable {
    let http: HTTPClient
    private let closed = Mutex(false)

    init(_ configuration: LedgerClientConfiguration) {
        var settings = HTTPClient.Configuration()
        settings.connectionPool = .init(
            idleTimeout: .nanoseconds(configuration.idleTimeout.nanoseconds),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.maximumConnections))
        settings.timeout = .init(connect: .nanoseconds(configuration.connectTimeout.nanoseconds))
        settings.redirectConfiguration = .disallow
        settings.decompression = .disabled
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
    }

    func close() async throws {
        guard closed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        try await http.shutdown()
    }

    deinit {
        if !closed.withLock({ $0 }) { http.shutdown(queue: .global()) { _ in } }
    }
}
