import EventStore
import Foundation
import JobLedger
import PostgresEventStore

/// Release `jobledger-server --postgres URL` processes on one database
/// (two unless `--postgres-servers` says otherwise), each on a loopback port
/// of its own, durable.
final class ServerGroup: Sendable {
    /// The servers, in order.
    let processes: [HTTPChildProcess]
    /// Their base URLs, in the same order.
    let urls: [String]

    private init(processes: [HTTPChildProcess], urls: [String]) {
        self.processes = processes
        self.urls = urls
    }

    /// Starts `count` servers on the database at `databaseURL`.
    static func start(_ server: URL, count: Int, databaseURL: String) async throws -> ServerGroup {
        var processes: [HTTPChildProcess] = []
        var urls: [String] = []
        for _ in 0..<count {
            let process = try HTTPChildProcess(server, [
                "--postgres", databaseURL, "--listen", "127.0.0.1:0", "--log-level", "error",
            ])
            processes.append(process)
            let line = try await process.line(startingWith: "listening on ")
            urls.append(String(line.dropFirst("listening on ".count)))
        }
        return ServerGroup(processes: processes, urls: urls)
    }

    /// CPU seconds each server used so far.
    func cpuSeconds() -> [Double] { processes.map { $0.cpuSeconds() ?? 0 } }

    /// Stops every server and waits for them to exit.
    func stop() async {
        for process in processes { await process.stop() }
    }

    /// The ledger on the database at `url`, opened in this process.
    static func ledger(url: String) throws -> JobLedger {
        try JobLedger { (storeOptions) throws(EventStoreError) in try PostgresEventStore.open(url: url, options: storeOptions) }
    }
}

/// CPU use over a timed stretch, as a share of one core: the servers,
/// the cluster and this process.
struct CPUShares {
    var servers: [Double]
    var cluster: Double
    var benchmark: Double

    /// The shares between two sets of readings over `seconds`.
    init(servers before: [Double], _ after: [Double], cluster: Double, benchmark: Double, seconds: Double) {
        servers = zip(before, after).map { ($1 - $0) / seconds }
        self.cluster = cluster / seconds
        self.benchmark = benchmark / seconds
    }

    /// "server 1 85%, server 2 80%, PostgreSQL 20%, benchmark 15% of a core".
    var description: String {
        let parts = servers.enumerated().map { String(format: "server %d %.0f%%", $0.offset + 1, $0.element * 100) }
            + [String(format: "PostgreSQL %.0f%%", cluster * 100), String(format: "this process %.0f%%", benchmark * 100)]
        return parts.joined(separator: ", ") + " of one core"
    }
}
