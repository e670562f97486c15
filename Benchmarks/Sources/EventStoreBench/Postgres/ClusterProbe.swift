import Foundation

/// What a stretch of work cost the PostgreSQL cluster: CPU time of its
/// running processes (the postmaster and its children, from `/proc`), write
/// transactions (transaction ids handed out: only a transaction that
/// writes takes one) and all transactions committed in one database
/// (`pg_stat_database.xact_commit`, which a backend reports when it ends or
/// goes idle for a while, so it is read after the servers have stopped).
struct ClusterProbe {
    /// Write transactions and committed transactions at one moment.
    struct Reading {
        var transactionIDs: Int
        var commits: Int
    }

    private let url: String
    private let database: String
    private let postmaster: Int32?

    /// Reads the cluster at `url`, counting commits of `database`. The CPU
    /// time is read only when the cluster runs on this machine.
    init(url: String, database: String) throws {
        self.url = url
        self.database = database
        let connection = try BlockingConnection(url: url)
        defer { connection.close() }
        let row = try connection.query("SELECT setting FROM pg_settings WHERE name = 'data_directory'").first
        let directory = try row?.decode(String.self)
        postmaster = directory.flatMap { try? String(contentsOfFile: $0 + "/postmaster.pid", encoding: .utf8) }
            .flatMap { $0.split(separator: "\n").first.flatMap { Int32($0) } }
    }

    /// The counters now.
    func read() throws -> Reading {
        let connection = try BlockingConnection(url: url)
        defer { connection.close() }
        let next = try connection.integer("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        let commits = try connection.integer(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = \(database)")
        return Reading(transactionIDs: next, commits: commits)
    }

    /// CPU seconds the cluster's running processes used so far (0 when the
    /// cluster is not on this machine); read it while the backends of
    /// interest still run.
    func cpuSeconds() -> Double { postmaster.map(Self.treeCPU) ?? 0 }

    /// CPU seconds (user + system) of `root` and its children.
    private static func treeCPU(_ root: Int32) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let text = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")")
            else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            // After the command: state, ppid, ... utime (11th) and stime (12th).
            guard fields.count > 12, let parent = Int32(fields[1]), pid == root || parent == root,
                  let user = Double(fields[11]), let system = Double(fields[12])
            else { continue }
            total += (user + system) / ticks
        }
        return total
    }
}
