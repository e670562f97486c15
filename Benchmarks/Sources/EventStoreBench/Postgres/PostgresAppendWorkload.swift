import EventStore
import Foundation
import PostgresEventStore

/// Part 1 of the postgres workload: 64 client threads in this process
/// append one event at a time, durable, to `PostgresEventStore` (group
/// commit), beside the LMDB `EventStore` doing the same and plain SQL on
/// the same cluster from 64 connections (one INSERT per transaction, and a
/// batched INSERT), the four alternating in rounds.
enum PostgresAppendWorkload {
    /// One side's figure ids and label.
    private struct SideName {
        var id: String
        var label: String
    }

    static func run(
        cluster: BenchCluster, counts: BenchCounts, postgres: PostgresCounts, scratch: ScratchDirectory,
        into report: inout BenchReport
    ) async throws {
        let clients = counts.clients
        let events = BenchEvents(payloadBytes: counts.payloadBytes)
        let batched = postgres.batch
        Progress.note(
            "postgres: \(clients) clients x \(postgres.appendsPerClient) durable appends of 1 event on PostgreSQL and on LMDB; "
                + "plain SQL from \(clients) connections: \(postgres.appendsPerClient) single-row and "
                + "\(postgres.batchedRowsPerClient) batched rows each; alternating in \(postgres.rounds) rounds")
        let storeURL = try cluster.freshDatabase("bench_append")
        let sqlURL = try cluster.freshDatabase("bench_sql")
        let lmdbPath = scratch.directory(for: "pg-lmdb-append")
        struct Outcome: Sendable {
            var totals: [InterleavedRounds.Totals]
            var latencies: [[Double]]
            var batches: [BatchFigures]
        }
        let outcome = try await DedicatedThread.run("jobledger-bench.postgres-append") { () throws -> Outcome in
            let postgresStore = try PostgresEventStore.open(url: storeURL)
            let lmdbStore = try EventStore.open(at: lmdbPath)
            let onPostgres = StorageAppendClients(store: postgresStore, name: "PostgreSQL: \(clients) clients", clients: clients, events: events)
            let onLMDB = StorageAppendClients(store: lmdbStore, name: "LMDB beside PostgreSQL: \(clients) clients", clients: clients, events: events)
            let single = try PlainSQLAppends(
                url: sqlURL, table: "plain_events", clients: clients, form: .single, payloadBytes: counts.payloadBytes)
            let batch = try PlainSQLAppends(
                url: sqlURL, table: "plain_events_batched", clients: clients, form: batched, payloadBytes: counts.payloadBytes)
            let totals = try InterleavedRounds.run(rounds: postgres.rounds, sides: [
                .init(total: postgres.appendsPerClient) { try onPostgres.append(perClient: $0) },
                .init(total: postgres.appendsPerClient) { try onLMDB.append(perClient: $0) },
                .init(total: postgres.appendsPerClient) { try single.insert(perClient: $0) },
                .init(total: postgres.batchedRowsPerClient) { try batch.insert(perClient: $0) },
            ])
            let batches = [try onPostgres.finish(), try onLMDB.finish()]
            try single.finish()
            try batch.finish()
            return Outcome(
                totals: totals,
                latencies: [onPostgres.latencies.sorted, onLMDB.latencies.sorted, single.latencies.sorted, batch.latencies.sorted],
                batches: batches)
        }
        let names = [
            SideName(id: "pg-append", label: "PostgresEventStore \(clients) clients, 1 event per durable append"),
            SideName(id: "pg-lmdb-append", label: "EventStore (LMDB) \(clients) clients, 1 event per durable append, same run"),
            SideName(id: "pg-sql-single", label: "plain SQL \(clients) connections, \(PlainSQLAppends.Form.single)"),
            SideName(id: "pg-sql-batched", label: "plain SQL \(clients) connections, \(batched)"),
        ]
        for (index, name) in names.enumerated() {
            let rate = Double(outcome.totals[index].operations * clients) / max(outcome.totals[index].seconds, 1e-9)
            report.figures.append(Figure(
                id: name.id, workload: name.label, value: rate, unit: index < 2 ? "events/s" : "rows/s",
                baselineID: index == 0 ? "pg-lmdb-append" : nil))
        }
        report.figures.append(Figure(
            id: "pg-append-vs-single", workload: "PostgresEventStore against plain single-row INSERTs", value: report.value("pg-append"),
            unit: "events/s", baselineID: "pg-sql-single"))
        report.figures.append(Figure(
            id: "pg-append-vs-batched", workload: "PostgresEventStore against plain batched INSERTs", value: report.value("pg-append"),
            unit: "events/s", baselineID: "pg-sql-batched"))
        let latencyNames = ["append", "append", "transaction", "transaction"]
        for (index, name) in names.enumerated() {
            let sorted = outcome.latencies[index]
            for (p, label) in [(0.5, "p50"), (0.99, "p99")] {
                report.figures.append(Figure(
                    id: "\(name.id)-\(label)", workload: "\(name.id): \(latencyNames[index]) latency, \(label)",
                    value: HTTPWorkloads.percentile(sorted, p), unit: "ms"))
            }
        }
        for batches in outcome.batches {
            report.figures.append(Figure(
                id: "\(batches.workload)-per-commit", workload: "\(batches.workload): appends per commit",
                value: batches.averageAppendsPerCommit, unit: "appends"))
        }
        report.groupCommit += outcome.batches
    }
}

extension BenchReport {
    /// The value of the figure `id` taken so far (0 when there is none).
    func value(_ id: String) -> Double {
        figures.first { $0.id == id }?.value ?? 0
    }
}
