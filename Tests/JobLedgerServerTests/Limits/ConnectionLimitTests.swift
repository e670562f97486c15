import Foundation
import Hummingbird
import JobLedgerServer
import Testing

/// What a client that misbehaves on the socket gets: an oversized header, a
/// silent connection, a body that stops half way. Each is answered or
/// closed cleanly, within the limit, and the server goes on serving.
@Suite struct ConnectionLimitTests {
    /// Runs the fixture's server on a free loopback port while `body` runs
    /// with that port, then shuts it down.
    static func withListeningServer(
        _ fixture: ServerFixture, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = fixture.server.makeApplication { _, port in portSink.yield(port) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// The status line of a raw answer, or "" when none came.
    static func statusLine(_ text: String) -> String {
        String(text.prefix { !$0.isNewline })
    }

    /// Whether a fresh connection still gets `/healthz` answered.
    static func stillServes(_ port: Int) async throws -> Bool {
        try await RawConnection.onThread {
            let connection = try RawConnection(port: port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            return statusLine(connection.readUntilClosed().text) == "HTTP/1.1 200 OK"
        }
    }

    @Test func aHeaderOverTheLimitIsRefusedOrClosedWithoutA5xxAndTheServerGoesOn() async throws {
        var limits = ServerLimits()
        limits.maxHeaderBytes = 4096
        let fixture = try ServerFixture(limits: limits)
        try await Self.withListeningServer(fixture) { port in
            let answer = try await RawConnection.onThread {
                let connection = try RawConnection(port: port)
                let big = String(repeating: "a", count: 20_000)
                connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: \(big)\r\n\r\n")
                return connection.readUntilClosed()
            }
            #expect(answer.closed, "the connection was left open after an oversized header")
            let status = Self.statusLine(answer.text)
            #expect(status.isEmpty || status.hasPrefix("HTTP/1.1 4"), "answered: \(status)")
            // A header under the limit is served as usual.
            let fits = try await RawConnection.onThread {
                let connection = try RawConnection(port: port)
                connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nX-Small: \(String(repeating: "a", count: 1000))\r\nConnection: close\r\n\r\n")
                return Self.statusLine(connection.readUntilClosed().text)
            }
            #expect(fits == "HTTP/1.1 200 OK")
            #expect(try await Self.stillServes(port))
        }
    }

    @Test func aSilentConnectionIsClosedOnceTheIdleTimeoutPasses() async throws {
        var limits = ServerLimits()
        limits.idleTimeout = .seconds(1)
        let fixture = try ServerFixture(limits: limits)
        try await Self.withListeningServer(fixture) { port in
            let (closed, seconds) = try await RawConnection.onThread {
                let connection = try RawConnection(port: port, readTimeout: 15)
                let start = Date()
                let read = connection.readUntilClosed()
                return (read.closed && read.text.isEmpty, Date().timeIntervalSince(start))
            }
            #expect(closed, "a connection that sent nothing stayed open for \(seconds) s")
            #expect(seconds >= 0.8 && seconds < 12, "closed after \(seconds) s with an idle timeout of 1 s")
            // Between requests too: a kept-alive connection that goes quiet.
            let afterRequest = try await RawConnection.onThread {
                let connection = try RawConnection(port: port, readTimeout: 15)
                connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
                return connection.readUntilClosed()
            }
            #expect(Self.statusLine(afterRequest.text) == "HTTP/1.1 200 OK")
            #expect(afterRequest.closed)
            #expect(try await Self.stillServes(port))
        }
    }

    @Test func aBodyThatStopsHalfWayIsAnswered408AndNothingIsSubmitted() async throws {
        var limits = ServerLimits()
        limits.requestTimeout = .seconds(1)
        let fixture = try ServerFixture(limits: limits)
        let token = fixture.user
        try await Self.withListeningServer(fixture) { port in
            let answer = try await RawConnection.onThread {
                let connection = try RawConnection(port: port, readTimeout: 15)
                let body = #"{"id":"half","type":"t","payload":{"text":"abcdefghijklmnopqrstuvwxyz"}}"#
                connection.send(
                    "POST /v1/jobs HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(token)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                        + String(body.prefix(20)))
                return connection.readUntilClosed()
            }
            #expect(Self.statusLine(answer.text) == "HTTP/1.1 408 Request Timeout", "answered: \(answer.text.prefix(300))")
            #expect(answer.text.contains("application/problem+json"))
            #expect(try fixture.ledger.job("half") == nil)
            #expect(try await Self.stillServes(port))
        }
    }
}
