import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Synchronization
import Testing

@Suite("Log, stream, export and service routes")
struct LogRouteTests {
    @Test("event pages follow positions to the end of the log, each event in its export form")
    func eventPagesWalkTheLog() async throws {
        let fixture = try ServerFixture()
        for index in 0..<7 {
            _ = try await fixture.ledger.submit(JobSubmission(id: "j\(index)", type: "email"), by: Actor(id: "alice", role: .user, organisation: "acme"))
        }
        let last = try fixture.ledger.store.lastPosition()
        try await fixture.withClient { client in
            var positions: [Int] = []
            var after = 0
            while true {
                let page = try await client.call(.get, "/v1/events?after=\(after)&limit=4", token: fixture.system)
                #expect(page.status == 200)
                let events = page.json["events"] as? [[String: Any]] ?? []
                positions += events.compactMap { $0["position"] as? Int }
                guard let next = page.json["next"] as? Int else { break }
                after = next
            }
            #expect(positions == Array(1...Int(last)))
            #expect(try await client.call(.get, "/v1/events?after=-1", token: fixture.system).status == 400)
        }
    }

    @Test("a stream resumed beyond the log's end is refused with 400 naming the last position, instead of waiting")
    func eventStreamBeyondTheEndIsRefused() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.ledger.submit(JobSubmission(id: "j1", type: "email"), by: Actor(id: "alice", role: .user, organisation: "acme"))
        let last = try fixture.ledger.store.lastPosition()
        try await fixture.withClient { client in
            let byQuery = try await client.call(.get, "/v1/events/stream?after=\(last + 1)", token: fixture.system)
            #expect(byQuery.status == 400)
            #expect(byQuery.text.contains("beyond the log's last position \(last)"))
            let byHeader = try await client.call(
                .get, "/v1/events/stream", token: fixture.system, headers: [HTTPField.Name("Last-Event-ID")!: "\(last + 50)"])
            #expect(byHeader.status == 400)
            #expect(byHeader.text.contains("Last-Event-ID"))
        }
    }

    @Test("an event page after a position beyond the log's end is refused as the stream refuses it; after the end itself is an empty last page")
    func eventPageBeyondTheEndIsRefusedLikeTheStream() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.ledger.submit(JobSubmission(id: "j1", type: "email"), by: Actor(id: "alice", role: .user, organisation: "acme"))
        let last = try fixture.ledger.store.lastPosition()
        try await fixture.withClient { client in
            let atEnd = try await client.call(.get, "/v1/events?after=\(last)", token: fixture.system)
            #expect(atEnd.status == 200)
            #expect((atEnd.json["events"] as? [Any])?.isEmpty == true)
            #expect(atEnd.json["next"] is NSNull)
            #expect(atEnd.json["lastPosition"] as? Int == Int(last))

            let page = try await client.call(.get, "/v1/events?after=\(last + 1)&limit=10", token: fixture.system)
            let stream = try await client.call(.get, "/v1/events/stream?after=\(last + 1)", token: fixture.system)
            #expect(page.status == 400)
            #expect(page.contentType == "application/problem+json")
            #expect(page.json["type"] as? String == stream.json["type"] as? String)
            #expect(page.json["type"] != nil)
            let detail = page.json["detail"] as? String ?? ""
            #expect(detail.contains("position \(last + 1)"))
            #expect(detail.contains("last position \(last)"))
            // Nothing was written by the refused read.
            #expect(try fixture.ledger.store.lastPosition() == last)
        }
    }

    @Test("reconnecting with Last-Event-ID gets every later event once and in order, while events are appended")
    func eventStreamResumesAfterLastEventID() async throws {
        var limits = ServerLimits()
        // Each connection ends soon, so the test reconnects several times.
        limits.maxStreamDuration = .milliseconds(400)
        let fixture = try ServerFixture(limits: limits)
        let alice = Actor(id: "alice", role: .user, organisation: "acme")
        for index in 0..<3 { _ = try await fixture.ledger.submit(JobSubmission(id: "j\(index)", type: "email"), by: alice) }
        let start = try fixture.ledger.store.lastPosition() - 2
        let ledger = fixture.ledger
        let finished = Mutex(false)
        let appender = Task {
            for index in 3..<23 {
                _ = try await ledger.submit(JobSubmission(id: "j\(index)", type: "email"), by: alice)
                try await Task.sleep(for: .milliseconds(40))
            }
            finished.withLock { $0 = true }
        }
        let app = Application(router: fixture.server.buildRouter())
        let seen = Mutex<[UInt64]>([])
        try await app.test(.live) { client in
            var lastSeen = start
            var connections = 0
            while connections < 40 {
                connections += 1
                let ids = try await client.execute(
                    uri: "/v1/events/stream", method: .get,
                    headers: [.authorization: "Bearer \(fixture.system)", HTTPField.Name("Last-Event-ID")!: "\(lastSeen)"]
                ) { response -> [UInt64] in
                    #expect(response.headers[.contentType] == "text/event-stream")
                    return ServerSentEvents.ids(in: String(buffer: response.body))
                }
                seen.withLock { $0 += ids }
                lastSeen = ids.last ?? lastSeen
                if finished.withLock({ $0 }), try ledger.store.lastPosition() == lastSeen { break }
            }
            #expect(connections > 1)
        }
        _ = try await appender.value
        #expect(seen.withLock { $0 } == Array((start + 1)...(try ledger.store.lastPosition())))
    }

    @Test("over the cap of open event streams a stream is refused with 503 and Retry-After; only system tokens may stream")
    func eventStreamCapAnswersBusy() async throws {
        var limits = ServerLimits()
        limits.maxEventStreams = 0
        let fixture = try ServerFixture(limits: limits)
        try await fixture.withClient { client in
            let refused = try await client.execute(
                uri: "/v1/events/stream?after=0", method: .get, headers: [.authorization: "Bearer \(fixture.system)"]
            ) { response in (Int(response.status.code), response.headers[.retryAfter]) }
            #expect(refused.0 == 503)
            #expect(refused.1 == "1")
            #expect(try await client.call(.get, "/v1/events/stream", token: fixture.admin).status == 403)
        }
    }

    @Test("the export streams every event as JSON Lines, and as CSV with one header")
    func exportStreamsJSONLinesAndCSV() async throws {
        let fixture = try ServerFixture()
        for index in 0..<5 {
            _ = try await fixture.ledger.submit(JobSubmission(id: "j\(index)", type: "email"), by: Actor(id: "alice", role: .user, organisation: "acme"))
        }
        var jsonLines = ""
        try fixture.ledger.store.exportEvents(to: &jsonLines, format: .jsonLines)
        var csv = ""
        try fixture.ledger.store.exportEvents(to: &csv, format: .csv)
        let expected = jsonLines
        let expectedCSV = csv
        try await fixture.withClient { client in
            #expect(try await client.call(.get, "/v1/export", token: fixture.system).text == expected)
            #expect(try await client.call(.get, "/v1/export?format=csv", token: fixture.system).text == expectedCSV)
            #expect(try await client.call(.get, "/v1/export?format=xml", token: fixture.system).status == 400)
            #expect(try await client.call(.get, "/v1/export", token: fixture.admin).status == 403)
            let report = try await client.call(.get, "/v1/report", token: fixture.system)
            #expect(report.status == 200)
            #expect(report.text == (try fixture.ledger.report().jsonText()))
        }
    }

    @Test("healthz, readyz, metrics and the OpenAPI document need no token; metrics count requests and jobs")
    func serviceRoutes() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            #expect(try await client.call(.get, "/healthz", token: nil).status == 200)
            #expect(try await client.call(.get, "/readyz", token: nil).json["status"] as? String == "ready")
            #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"type":"email"}"#).status == 201)
            let metrics = try await client.call(.get, "/metrics", token: nil).text
            #expect(metrics.contains(#"jobledger_http_requests_total{route="/v1/jobs",method="POST",status="201"} 1"#))
            #expect(metrics.contains(#"jobledger_jobs{state="pending"} 1"#))
            #expect(metrics.contains(#"jobledger_queue_depth{type="email"} 1"#))
            #expect(try await client.call(.post, "/v1/claims", token: fixture.worker, body: "{}").status == 200)
            let drained = try await client.call(.get, "/metrics", token: nil).text
            #expect(drained.contains(#"jobledger_queue_depth{type="email"} 0"#))
            #expect(drained.contains(#"jobledger_jobs{state="running"} 1"#))
            let document = try await client.call(.get, "/v1/openapi.json", token: nil)
            #expect(document.json["openapi"] as? String == "3.1.0")
            let paths = try #require(document.json["paths"] as? [String: Any])
            for path in ["/v1/jobs", "/v1/jobs/{id}", "/v1/claims", "/v1/events/stream", "/v1/export", "/healthz", "/metrics"] {
                #expect(paths[path] != nil, "\(path)")
            }
            fixture.server.shutdownGate.close()
            let notReady = try await client.call(.get, "/readyz", token: nil)
            #expect(notReady.status == 503)
        }
    }
}

@Suite struct ConflictMetricsTests {
    @Test("metrics count the version conflicts and back-offs of commands that raced for one job")
    func conflictsAreCounted() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let before = try await client.call(.get, "/metrics", token: nil).text
            #expect(before.contains("jobledger_command_conflicts 0"))
            #expect(before.contains("jobledger_command_backoffs 0"))
            // 24 cancels of one job at once: those that read its first
            // version after another's decision but before its commit are
            // refused and decided again. A round may see no such race on a
            // busy machine, so rounds go on until one did (a few at most).
            var rounds = 0
            while fixture.ledger.commandCounters.conflictCount == 0 && rounds < 200 {
                let id = "j\(rounds)"
                #expect(try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"\#(id)","type":"email"}"#).status == 201)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<24 {
                        group.addTask {
                            try await client.call(.post, "/v1/jobs/\(id)/cancel", token: fixture.user, body: #"{"reason":"race"}"#).status
                        }
                    }
                    for try await status in group { #expect(status == 200) }
                }
                rounds += 1
            }
            let conflicts = fixture.ledger.commandCounters.conflictCount
            #expect(conflicts > 0)
            let after = try await client.call(.get, "/metrics", token: nil).text
            #expect(after.contains("jobledger_command_conflicts \(conflicts)"))
            #expect(after.contains("jobledger_command_backoffs \(fixture.ledger.commandCounters.backOffCount)"))
            // Each job was cancelled once, whatever the races.
            for round in 0..<rounds {
                #expect(try fixture.audit("j\(round)").filter { $0["outcome"] as? String == "cancelled" }.count == 1)
            }
        }
    }
}

/// Reading server-sent events.
enum ServerSentEvents {
    /// The `id:` of each event, in order.
    static func ids(in text: String) -> [UInt64] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("id: ") ? UInt64(line.dropFirst(4)) : nil
        }
    }
}
