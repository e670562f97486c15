import EventStore
import Foundation
import JobLedger
import JobLedgerClient
import JobLedgerTestSupport
import PostgresEventStore
import Synchronization

/// A real `jobledger serve` process on a loopback port the system picked,
/// over a ledger in a fresh temporary directory, removed at the end.
///
/// With `JOBLEDGER_TEST_BACKEND=postgres` the ledger is a fresh database on
/// the test cluster and two servers share it: clients and worker processes
/// are handed out to them in turn, so every test of this suite then runs
/// across two servers on one database.
final class LiveServer: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    let directory: String
    let path: String
    /// The database of the ledger when the suite runs on PostgreSQL.
    let databaseURL: String?
    private(set) var process: RunningProcess
    private(set) var url: String
    /// The second server on the same database (PostgreSQL only).
    private(set) var peer: (process: RunningProcess, url: String)?
    private let turn = Atomic<Int>(0)
    private let sharedLedger = Mutex<JobLedger?>(nil)
    /// A system token, made when the server was first started.
    let systemToken: String

    /// Creates a ledger, issues a system token, and starts a server on it.
    init(extraArguments: [String] = []) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-http-\(UUID().uuidString)").path
        path = directory + "/ledger"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        databaseURL = ProcessInfo.processInfo.environment["JOBLEDGER_TEST_BACKEND"] == "postgres"
            ? try PostgresTestCluster.shared.freshLedgerURL() : nil
        let location = databaseURL.map { ["--postgres", $0] } ?? ["--db", path]
        systemToken = try Self.ledger(path: path, databaseURL: databaseURL, cache: sharedLedger)
            .issueToken(for: Actor(id: "ops", role: .system, organisation: "acme")).text
        (process, url) = try await Self.start(location: location, extraArguments: extraArguments)
        if databaseURL != nil {
            let others = extraArguments.contains("--listen") ? [] : extraArguments
            peer = try await Self.start(location: location, extraArguments: others)
        }
    }

    deinit {
        process.send(SIGKILL)
        peer?.process.send(SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The arguments that name the ledger.
    private var location: [String] { databaseURL.map { ["--postgres", $0] } ?? ["--db", path] }

    /// The next server's address: the first one, or with two servers each in turn.
    var nextURL: String {
        guard let peer else { return url }
        return turn.add(1, ordering: .relaxed).oldValue % 2 == 0 ? url : peer.url
    }

    private static func start(location: [String], extraArguments: [String]) async throws -> (RunningProcess, String) {
        let process = try RunningProcess(
            "jobledger serve", executable: try BuiltExecutable.url("jobledger"),
            arguments: ["serve"] + location + ["--log-level", "warning"]
                + (extraArguments.contains("--listen") ? [] : ["--listen", "127.0.0.1:0"]) + extraArguments)
        guard let line = await process.waitForLine(startingWith: "listening on ", timeout: .seconds(90)), line.hasPrefix("listening on http://") else {
            throw StartFailure(description: "the server did not say where it listens: \(process.lines) \(process.errorTail)")
        }
        return (process, String(line.dropFirst("listening on ".count)))
    }

    /// Stops the server with SIGTERM and returns its exit status (`nil`: it
    /// did not stop in time and was killed).
    func stop() async -> Int32? {
        await process.terminate()
    }

    /// Starts the server again on the same ledger and the same port, so
    /// that clients of the stopped server reach the new one.
    func restart() async throws {
        let address = String(url.dropFirst("http://".count))
        (process, url) = try await Self.start(location: location, extraArguments: ["--listen", address])
    }

    /// Issues a token through the library, as `jobledger token create` does;
    /// the server reads tokens from the ledger on each request.
    func token(_ actor: String, role: Actor.Role, org: String = "acme", worker: String? = nil, expiresIn: TimeInterval? = nil) throws -> String {
        let ledger = try openLedger()
        let identity = Actor(id: actor, role: role, organisation: org)
        return try ledger.issueToken(for: identity, worker: role == .worker ? worker ?? actor : nil, expiresIn: expiresIn).text
    }

    /// Whether the suite runs on a shared database, with two servers.
    static var sharesADatabase: Bool { ProcessInfo.processInfo.environment["JOBLEDGER_TEST_BACKEND"] == "postgres" }

    /// A client with `token` and enough connections for the tests, of the
    /// server at `url` or of each server in turn.
    func client(_ token: String?, connections: Int = 32, url: String? = nil) throws -> LedgerClient {
        var configuration = LedgerClientConfiguration()
        configuration.maximumConnections = connections
        configuration.requestTimeout = .seconds(15)
        return try LedgerClient(baseURL: url ?? nextURL, token: token, configuration: configuration)
    }

    /// Opens the ledger in this process (beside the server, or after it stopped).
    func openLedger() throws -> JobLedger {
        try Self.ledger(path: path, databaseURL: databaseURL, cache: sharedLedger)
    }

    /// The ledger at `path`, or the one store of this process on the database.
    private static func ledger(path: String, databaseURL: String?, cache: borrowing Mutex<JobLedger?>) throws -> JobLedger {
        guard let databaseURL else { return try JobLedger(path: path) }
        return try cache.withLock { ledger in
            if let ledger { return ledger }
            let opened = try JobLedger { (storeOptions) throws(EventStoreError) in
                try PostgresEventStore.open(url: databaseURL, options: storeOptions)
            }
            ledger = opened
            return opened
        }
    }

    /// Starts a `RemoteWorkerProbe` process with a new worker token.
    func remoteWorkers(
        id: String, concurrency: Int = 1, behaviour: String = "noop", lease: Double = 30, renewInterval: Double? = nil,
        claimWait: Double = 5, types: [String]? = nil, untilIdle: Bool = false,
        typeBehaviours: [String: String] = [:], url: String? = nil
    ) async throws -> RunningProcess {
        var arguments = [
            "--url", url ?? nextURL, "--token", try token(id, role: .worker), "--concurrency", String(concurrency),
            "--behaviour", behaviour, "--lease", String(lease), "--claim-wait", String(claimWait),
        ]
        if let renewInterval { arguments += ["--renew-interval", String(renewInterval)] }
        if let types { arguments += ["--types", types.joined(separator: ",")] }
        if untilIdle { arguments.append("--until-idle") }
        for (type, behaviour) in typeBehaviours { arguments += ["--type-behaviour", "\(type)=\(behaviour)"] }
        let probe = try RunningProcess("RemoteWorkerProbe \(id)", executable: try BuiltExecutable.url("RemoteWorkerProbe"), arguments: arguments)
        guard await probe.waitForLine(startingWith: "ready") != nil else {
            throw StartFailure(description: "RemoteWorkerProbe \(id) did not start: \(probe.errorTail)")
        }
        return probe
    }
}

/// A line `claimed ID ATTEMPT` or `settled KIND ID ATTEMPT STATE` of a worker process.
struct WorkerLine: Hashable {
    var word: String
    var kind: String?
    var jobID: String
    var attempt: Int
    var state: String?

    init?(_ line: String) {
        let parts = line.split(separator: " ").map(String.init)
        if parts.count == 3, parts[0] == "claimed", let attempt = Int(parts[2]) {
            (word, kind, jobID, self.attempt, state) = ("claimed", nil, parts[1], attempt, nil)
        } else if parts.count == 5, parts[0] == "settled", let attempt = Int(parts[3]) {
            (word, kind, jobID, self.attempt, state) = ("settled", parts[1], parts[2], attempt, parts[4])
        } else {
            return nil
        }
    }
}
