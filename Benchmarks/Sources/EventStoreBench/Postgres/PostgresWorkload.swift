import Foundation

/// The postgres workload: the ledger on its PostgreSQL backend, in process
/// against LMDB and plain SQL on the same cluster, then through two server
/// processes on one database (submits, remote workers), and append latency
/// on a long log against an empty one. It runs on the cluster
/// `--postgres-url` names, or on a throwaway cluster of its own.
enum PostgresWorkload {
    static func run(
        clusterURL: String?, counts: BenchCounts, postgres: PostgresCounts, scratch: ScratchDirectory,
        executables: ReleaseExecutables, into report: inout BenchReport
    ) async throws {
        // Found before any work, so that a missing build fails at once.
        let server = try executables.url(of: "jobledger-server")
        let cluster = try BenchCluster.open(url: clusterURL, scratch: scratch)
        defer { cluster.stop() }
        try await PostgresAppendWorkload.run(
            cluster: cluster, counts: counts, postgres: postgres, scratch: scratch, into: &report)
        try await PostgresServerWorkloads.run(cluster: cluster, postgres: postgres, server: server, into: &report)
        try await PostgresLogSizeLatency.run(cluster: cluster, counts: counts, postgres: postgres, into: &report)
    }
}
