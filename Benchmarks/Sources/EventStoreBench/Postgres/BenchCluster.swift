import EventStore
import Foundation
import PostgresEventStore

/// The PostgreSQL cluster the postgres workload measures on: the one
/// `--postgres-url` names (a superuser's URL, so that the workload can
/// create its databases), or a throwaway cluster that the ledger package's
/// `scripts/postgres-cluster` starts in the run's scratch directory and
/// stops at the end.
final class BenchCluster: Sendable {
    /// The URL of the cluster's `postgres` database (or the one given).
    let url: String
    /// The folder of the throwaway cluster; `nil` for a given URL.
    private let ownFolder: String?

    private init(url: String, ownFolder: String?) {
        self.url = url
        self.ownFolder = ownFolder
    }

    /// The cluster at `url`, or a new throwaway one when `url` is `nil`.
    static func open(url: String?, scratch: ScratchDirectory) throws -> BenchCluster {
        if let url { return BenchCluster(url: url, ownFolder: nil) }
        guard let script = ReleaseExecutables.ledgerPackage?.appendingPathComponent("scripts/postgres-cluster"),
              FileManager.default.isExecutableFile(atPath: script.path)
        else {
            throw BenchError.childFailed(
                "scripts/postgres-cluster of the ledger package was not found; name a cluster with --postgres-url")
        }
        let folder = scratch.directory(for: "pg")
        Progress.note("postgres: starting a throwaway PostgreSQL cluster in \(folder)")
        let output = try Self.runScript(script, ["start", folder, "--watch", String(getpid())])
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("postgresql://") }) else {
            throw BenchError.childFailed("postgres-cluster printed no URL: \(output)")
        }
        return BenchCluster(url: String(line), ownFolder: folder)
    }

    /// Stops the throwaway cluster; a given cluster is left running.
    func stop() {
        guard let ownFolder, let script = ReleaseExecutables.ledgerPackage?.appendingPathComponent("scripts/postgres-cluster")
        else { return }
        _ = try? Self.runScript(script, ["stop", ownFolder])
    }

    /// The URL of database `name` on this cluster.
    func url(database name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }

    /// Creates database `name` (dropping one of that name first) and
    /// returns its URL.
    func freshDatabase(_ name: String) throws -> String {
        let admin = try BlockingConnection(url: url)
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS \(name)")
        try admin.execute("CREATE DATABASE \(name)")
        return url(database: name)
    }

    private static func runScript(_ script: URL, _ arguments: [String]) throws -> String {
        let (process, pipe) = Process.piped(script, arguments, errors: .standardError)
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError.childFailed("postgres-cluster \(arguments.joined(separator: " ")): exit status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
