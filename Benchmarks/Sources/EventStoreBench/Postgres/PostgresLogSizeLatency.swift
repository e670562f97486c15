import EventStore
import Foundation
import PostgresEventStore

/// Part 4 of the postgres workload: does a long log slow appends down? 64
/// clients append one event at a time, durable, to a `PostgresEventStore`
/// whose log already holds many events, and to one on an empty database,
/// alternating in rounds. The long log is loaded beforehand (not timed) by
/// appends of 1,000 events each, from 4 threads, without waiting for the
/// server's flush (`synchronous_commit` off).
enum PostgresLogSizeLatency {
    static func run(
        cluster: BenchCluster, counts: BenchCounts, postgres: PostgresCounts, into report: inout BenchReport
    ) async throws {
        let clients = counts.clients
        let events = BenchEvents(payloadBytes: counts.payloadBytes)
        let longURL = try cluster.freshDatabase("bench_long_log")
        let emptyURL = try cluster.freshDatabase("bench_empty_log")
        let logEvents = postgres.longLogEvents
        Progress.note("postgres: loading \(ReportTable.grouped(logEvents)) events (appends of 1,000, not timed)")
        let loadSeconds = try await DedicatedThread.run("jobledger-bench.pg-load") { () throws -> Double in
            let store = try PostgresEventStore.open(url: longURL, options: .noSync)
            let stopwatch = Stopwatch()
            let appends = (logEvents + 999) / 1_000
            try ClientThreads.fill(appends, threads: 4, name: "load") { index in
                let size = min(1_000, logEvents - index * 1_000)
                _ = try store.append(to: "load-\(index)", expectedVersion: .noStream, events: events.make(count: size))
            }
            let seconds = stopwatch.elapsedSeconds
            guard try store.lastPosition() == UInt64(logEvents) else {
                throw BenchError.verification("the long log holds \(try store.lastPosition()) events, expected \(logEvents)")
            }
            return seconds
        }
        Progress.note(
            "postgres: \(clients) clients x \(postgres.latencyAppendsPerClient) durable appends on the long log and on an "
                + "empty one, alternating in \(postgres.rounds) rounds")
        let latencies = try await DedicatedThread.run("jobledger-bench.pg-log-size") { () throws -> [[Double]] in
            let long = StorageAppendClients(
                store: try PostgresEventStore.open(url: longURL), name: "PostgreSQL, long log", clients: clients, events: events)
            let empty = StorageAppendClients(
                store: try PostgresEventStore.open(url: emptyURL), name: "PostgreSQL, empty log", clients: clients,
                events: events)
            _ = try InterleavedRounds.run(rounds: postgres.rounds, sides: [
                .init(total: postgres.latencyAppendsPerClient) { try long.append(perClient: $0) },
                .init(total: postgres.latencyAppendsPerClient) { try empty.append(perClient: $0) },
            ])
            _ = try long.finish()
            _ = try empty.finish()
            return [long.latencies.sorted, empty.latencies.sorted]
        }
        let sizes = ["long", "empty"]
        for (p, label) in [(0.5, "p50"), (0.99, "p99")] {
            for (index, size) in sizes.enumerated() {
                report.figures.append(Figure(
                    id: "pg-\(size)-log-\(label)",
                    workload: index == 0
                        ? "append latency, \(clients) clients, log of \(ReportTable.grouped(logEvents)) events, \(label)"
                        : "the same on an empty log, \(label)",
                    value: HTTPWorkloads.percentile(latencies[index], p), unit: "ms",
                    baselineID: index == 0 ? "pg-empty-log-\(label)" : nil))
            }
        }
        report.notes.append(
            "postgres: \(ReportTable.grouped(logEvents)) events loaded in "
                + String(format: "%.1f s (%.0f events/s", loadSeconds, Double(logEvents) / max(loadSeconds, 1e-9))
                + ", appends of 1,000 from 4 threads, synchronous_commit off)")
    }
}
