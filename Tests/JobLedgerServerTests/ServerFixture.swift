import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Logging
import Testing

/// A fresh ledger in a temporary folder with a server over it, and tokens
/// of each role; removed when dropped.
final class ServerFixture: Sendable {
    let directory: String
    let path: String
    let ledger: JobLedger
    let server: LedgerServer
    /// alice, a user of acme.
    let user: String
    /// bob, a user of globex.
    let otherOrgUser: String
    /// root, an admin of acme.
    let admin: String
    /// w1, a worker.
    let worker: String
    /// ops, the system.
    let system: String

    init(limits: ServerLimits = ServerLimits(), clock: (@Sendable () -> Date)? = nil, dashboard: DashboardSettings = DashboardSettings()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/ledger"
        var options = JobLedgerOptions()
        options.store = .noSync
        if let clock { options.clock = clock }
        ledger = try JobLedger(path: path, options: options)
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, limits: limits)
        configuration.sweepInterval = .milliseconds(100)
        configuration.dashboard = dashboard
        server = LedgerServer(ledger: ledger, configuration: configuration)
        user = try ledger.issueToken(for: Actor(id: "alice", role: .user, organisation: "acme")).text
        otherOrgUser = try ledger.issueToken(for: Actor(id: "bob", role: .user, organisation: "globex")).text
        admin = try ledger.issueToken(for: Actor(id: "root", role: .admin, organisation: "acme")).text
        worker = try ledger.issueToken(for: Actor(id: "w1", role: .worker, organisation: "acme")).text
        system = try ledger.issueToken(for: Actor(id: "ops", role: .system, organisation: "acme")).text
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` against the router, without a socket.
    func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "jobledger.test")
        logger.logLevel = .warning
        let app = Application(router: server.buildRouter(), logger: logger)
        try await app.test(.router, body)
    }

    /// The audit entries of a job, decoded.
    func audit(_ jobID: String) throws -> [[String: Any]] {
        try ledger.store.readStream(JobStreams.audit(jobID)).compactMap {
            try JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any]
        }
    }
}

/// A parsed answer.
struct Answer: Sendable {
    let status: Int
    let text: String
    let contentType: String?

    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? [:] }
    var job: [String: Any] { json["job"] as? [String: Any] ?? [:] }
    var problemType: String? { (json["type"] as? String).map { String($0.dropFirst(Problem.typePrefix.count)) } }
}

extension TestClientProtocol {
    /// Sends a request with a bearer token and an optional JSON body.
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil, headers extra: HTTPFields = [:]) async throws -> Answer {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Answer(status: Int(response.status.code), text: String(buffer: response.body), contentType: response.headers[.contentType])
        }
    }
}
