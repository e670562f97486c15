import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import JobLedgerTestSupport
import Logging
import Testing

@Suite("Request input: path segments, cursors and export parameters")
struct RequestInputTests {
    @Test("path parameters are percent-decoded; broken percent-encoding is a 400")
    func pathParametersArePercentDecoded() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let created = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"id":"a:b","type":"email","batch":"x:y"}"#)
            #expect(created.status == 201)
            let got = try await client.call(.get, "/v1/jobs/a%3Ab", token: fixture.user)
            #expect(got.status == 200)
            #expect(got.json["id"] as? String == "a:b")
            #expect(try await client.call(.get, "/v1/jobs/a%3ab/history", token: fixture.user).json["job"] as? String == "a:b")
            let killed = try await client.call(.post, "/v1/batches/x%3Ay/kill", token: fixture.admin, body: #"{"reason":"test"}"#)
            #expect(killed.status == 200)
            let results = try #require(killed.json["results"] as? [[String: Any]])
            #expect(results.map { $0["id"] as? String } == ["a:b"])
            // The answer speaks of the job "a b", not of "a%20b".
            let spaced = try await client.call(.get, "/v1/jobs/a%20b", token: fixture.user)
            #expect(spaced.status == 404 || spaced.status == 400)
            #expect((spaced.json["detail"] as? String)?.contains("'a b'") == true)
            for broken in ["/v1/jobs/a%zz", "/v1/jobs/a%", "/v1/jobs/%FF%FE"] {
                let answer = try await client.call(.get, broken, token: fixture.user)
                #expect(answer.status == 400, "\(broken)")
                #expect(answer.problemType == "bad-input", "\(broken)")
            }
        }
    }

    @Test("a cursor that no listing handed out is a 400; a real one continues")
    func nonsenseCursorIsBadInput() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            for id in ["c1", "c2", "c3"] {
                _ = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"\#(id)","type":"email"}"#)
            }
            for cursor in ["00", "zz", "nonsense", "0000000000000000", "%2Bf%2Bf"] {
                let answer = try await client.call(.get, "/v1/jobs?cursor=\(cursor)", token: fixture.user)
                #expect(answer.status == 400, "\(cursor)")
                #expect(answer.problemType == "bad-input", "\(cursor)")
            }
            let first = try await client.call(.get, "/v1/jobs?limit=1", token: fixture.user)
            let cursor = try #require(first.json["next"] as? String)
            let rest = try await client.call(.get, "/v1/jobs?limit=10&cursor=\(cursor)", token: fixture.user)
            #expect(rest.status == 200)
            #expect((rest.json["jobs"] as? [Any])?.count == 2)
        }
    }

    @Test("every export parameter is checked before the body starts: a bad one is a 400 problem")
    func exportParametersAreCheckedFirst() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            _ = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"e1","type":"email"}"#)
            let long = String(repeating: "s", count: 5000)
            for query in ["stream=", "stream=\(long)", "format=xml", "from=-1", "since=yesterday", "until=soon"] {
                let answer = try await client.call(.get, "/v1/export?\(query)", token: fixture.system)
                #expect(answer.status == 400, "\(query.prefix(20))")
                #expect(answer.contentType == "application/problem+json", "\(query.prefix(20))")
                #expect(answer.problemType == "bad-input", "\(query.prefix(20))")
            }
            let good = try await client.call(.get, "/v1/export?stream=job-e1", token: fixture.system)
            #expect(good.status == 200)
            #expect(good.text.split(separator: "\n").count == 1)
        }
    }

    @Test("an export that fails once its body is under way ends as a complete body with the error in a trailer")
    func exportFailingMidwayEndsCleanly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = JobLedgerOptions()
        options.store = .noSync
        let owner = Actor(id: "alice", role: .user, organisation: "acme")
        var stored: UInt64 = 0
        do {
            let jobs = try JobLedger(path: directory.path, options: options)
            for index in 0..<3 {
                _ = try await jobs.submit(JobSubmission(id: "j\(index)", type: "t", payload: #"{"note":"marker-\#(index)"}"#), by: owner)
            }
            stored = try #require(try jobs.store.readStream(JobStreams.job("j1")).first).position
        }
        let position = stored
        // The stored bytes change behind the store's back; their checksum does not.
        try EventDamage.replace("marker-1", with: "marker-X", inEventAt: position, ledgerAt: directory.path)
        let ledger = try JobLedger(path: directory.path, options: options)
        let system = try ledger.issueToken(for: Actor(id: "ops", role: .system, organisation: "acme")).text
        let server = LedgerServer(ledger: ledger, configuration: ServerConfiguration(host: "127.0.0.1", port: 0))
        var logger = Logger(label: "jobledger.test")
        logger.logLevel = .critical
        let app = Application(router: server.buildRouter(), logger: logger)
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/v1/export", method: .get, headers: [.authorization: "Bearer \(system)"])
            #expect(response.status == .ok)
            let error = try #require(response.trailerHeaders?[HTTPField.Name("JobLedger-Export-Error")!])
            #expect(error.contains("\(position)") || error.lowercased().contains("checksum"), "\(error)")
            #expect(!String(buffer: response.body).contains("marker-X"))
            // The connection is still usable: a second request on it is answered.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }
}
