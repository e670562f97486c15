import EventStore
import Foundation
import JobLedger
import JobLedgerClient

/// Parts 2 and 3 of the postgres workload, each on a database of its own
/// served by `jobledger-server --postgres` processes (two by default):
///
/// - submits: 64 concurrent submitters over HTTP, spread evenly over the servers;
///   each submit appends the job's event and its audit entry;
/// - remote workers: 16 `RemoteWorker`s of this process, spread evenly
///   over the servers, claim and complete no-op jobs submitted beforehand; every
///   job's history must hold exactly one `JobClaimed`.
enum PostgresServerWorkloads {
    static let owner = Actor(id: "bench-user", role: .user, organisation: "org-1")

    static func run(
        cluster: BenchCluster, postgres: PostgresCounts, server: URL, into report: inout BenchReport
    ) async throws {
        try await submits(cluster: cluster, postgres: postgres, server: server, into: &report)
        try await remoteWorkers(cluster: cluster, postgres: postgres, server: server, into: &report)
    }

    // MARK: Submits

    private static func submits(
        cluster: BenchCluster, postgres: PostgresCounts, server: URL, into report: inout BenchReport
    ) async throws {
        let url = try cluster.freshDatabase("bench_submit")
        let (ledger, token) = try await DedicatedThread.run("jobledger-bench.pg-submit-setup") { () throws -> (JobLedger, String) in
            let ledger = try ServerGroup.ledger(url: url)
            return (ledger, try ledger.issueToken(for: owner).text)
        }
        let servers = try await ServerGroup.start(server, count: postgres.servers, databaseURL: url)
        defer { Task { await servers.stop() } }
        var configuration = LedgerClientConfiguration()
        configuration.maximumConnections = 40
        let clients = try servers.urls.map { try LedgerClient(baseURL: $0, token: token, configuration: configuration) }
        Progress.note("postgres: \(postgres.submits) submits by 64 concurrent clients through \(postgres.servers) servers")
        let firstPosition = try ledger.store.lastPosition()
        var meter = try PhaseMeter(ClusterProbe(url: url, database: "bench_submit"), servers: servers)
        let latencies = LatencySamples()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for submitter in 0..<64 {
                let client = clients[submitter % clients.count]
                group.addTask {
                    var mine: [Double] = []
                    for index in stride(from: submitter, to: postgres.submits, by: 64) {
                        let sent = ContinuousClock.now
                        _ = try await client.submit(NewJob(id: "submit-\(index)", type: "noop"))
                        mine.append(HTTPWorkloads.milliseconds(ContinuousClock.now - sent))
                    }
                    let done = mine
                    latencies.add(done)
                }
            }
            try await group.waitForAll()
        }
        meter.stopClock()
        for client in clients { try? await client.close() }
        await servers.stop()
        let cost = try meter.finish()
        let events = Int(try ledger.store.lastPosition() - firstPosition)
        guard events == 2 * postgres.submits else {
            throw BenchError.verification("\(postgres.submits) submits appended \(events) events, expected \(2 * postgres.submits)")
        }
        let sorted = latencies.sorted
        report.figures.append(Figure(
            id: "pg-http-submit", workload: "64 submitters over HTTP, \(postgres.servers) servers on one PostgreSQL database, durable",
            value: Double(postgres.submits) / cost.seconds, unit: "jobs/s"))
        report.figures.append(Figure(
            id: "pg-http-submit-events", workload: "the same, events (job event + audit entry per submit)",
            value: Double(events) / cost.seconds, unit: "events/s",
            target: Target(subject: .value, comparison: .atLeast, threshold: 17_000)))
        report.figures.append(Figure(
            id: "pg-http-submit-p50", workload: "submit latency, p50", value: HTTPWorkloads.percentile(sorted, 0.5), unit: "ms"))
        report.figures.append(Figure(
            id: "pg-http-submit-p99", workload: "submit latency, p99", value: HTTPWorkloads.percentile(sorted, 0.99), unit: "ms"))
        append(cost, id: "pg-http-submit", operations: postgres.submits, operation: "submit", into: &report)
        try? ledger.store.sync()
    }

    // MARK: Remote workers

    private static func remoteWorkers(
        cluster: BenchCluster, postgres: PostgresCounts, server: URL, into report: inout BenchReport
    ) async throws {
        let url = try cluster.freshDatabase("bench_workers")
        Progress.note("postgres: \(postgres.jobs) no-op jobs submitted in this process (not timed)")
        let (ledger, token) = try await DedicatedThread.run("jobledger-bench.pg-workers-setup") { () throws -> (JobLedger, String) in
            let ledger = try ServerGroup.ledger(url: url)
            try ClientThreads.fill(postgres.jobs, threads: 16, name: "submit") { index in
                _ = try ledger.submit(JobSubmission(id: "remote-\(index)", type: "noop"), by: owner)
            }
            let worker = Actor(id: "bench-worker", role: .worker, organisation: "org-1")
            return (ledger, try ledger.issueToken(for: worker).text)
        }
        let servers = try await ServerGroup.start(server, count: postgres.servers, databaseURL: url)
        defer { Task { await servers.stop() } }
        let slots = postgres.workerSlots
        var configuration = LedgerClientConfiguration()
        configuration.maximumConnections = slots * 2 + 4
        configuration.requestTimeout = .seconds(10)
        let clients = try (0..<postgres.workers).map {
            try LedgerClient(baseURL: servers.urls[$0 % servers.urls.count], token: token, configuration: configuration)
        }
        let workers = clients.map {
            RemoteWorker(client: $0, concurrency: slots, lease: 60, handler: { _ in nil })
        }
        Progress.note("postgres: \(postgres.workers) remote workers x \(slots) jobs in hand, spread over \(postgres.servers) servers, claim + complete")
        var meter = try PhaseMeter(ClusterProbe(url: url, database: "bench_workers"), servers: servers)
        let statistics = await withTaskGroup(of: RemoteWorkerStatistics.self) { group in
            for worker in workers { group.addTask { await worker.runUntilIdle() } }
            return await group.reduce(into: [RemoteWorkerStatistics]()) { $0.append($1) }
        }
        meter.stopClock()
        for client in clients { try? await client.close() }
        await servers.stop()
        let cost = try meter.finish()
        let completed = statistics.reduce(0) { $0 + $1.completed }
        guard completed == postgres.jobs else {
            let errors = statistics.flatMap { $0.errors }.prefix(3)
            throw BenchError.verification("remote workers completed \(completed) of \(postgres.jobs) jobs (\(errors))")
        }
        let checks = try await DedicatedThread.run("jobledger-bench.pg-workers-check") { try claimsPerJob(ledger.store) }
        guard checks.unfinished == 0, checks.jobs == postgres.jobs else {
            throw BenchError.verification("\(checks.unfinished) of \(checks.jobs) jobs not completed")
        }
        report.figures.append(Figure(
            id: "pg-http-workers",
            workload: "\(postgres.workers) remote workers x \(slots) jobs in hand over HTTP, \(postgres.servers) servers, claim + complete, durable",
            value: Double(completed) / cost.seconds, unit: "jobs/s",
            target: Target(subject: .value, comparison: .atLeast, threshold: 3_000)))
        report.figures.append(Figure(
            id: "pg-http-workers-double-claims",
            workload: "jobs whose history does not hold exactly one JobClaimed (of \(ReportTable.grouped(postgres.jobs)))",
            value: Double(checks.doubleClaims), unit: "jobs", target: Target(subject: .value, comparison: .below, threshold: 1)))
        report.figures.append(Figure(
            id: "pg-http-workers-refused", workload: "settlements refused by the ledger",
            value: Double(statistics.reduce(0) { $0 + $1.settlementsRefused }), unit: "settlements"))
        append(cost, id: "pg-http-workers", operations: completed, operation: "job", into: &report)
    }

    /// Reads the whole log once: for every job, how many `JobClaimed` its
    /// stream holds and whether its last event is `JobCompleted`.
    private static func claimsPerJob(_ store: any EventStorage) throws -> (jobs: Int, doubleClaims: Int, unfinished: Int) {
        var claims: [String: Int] = [:]
        var last: [String: String] = [:]
        try store.forEachEvent(from: 1, filter: EventFilter(streamPrefix: JobStreams.jobPrefix)) { event in
            if event.type == "JobClaimed" { claims[event.streamID, default: 0] += 1 }
            last[event.streamID] = event.type
            return true
        }
        let doubleClaims = last.keys.filter { claims[$0] != 1 }.count
        let unfinished = last.values.filter { $0 != "JobCompleted" }.count
        return (last.count, doubleClaims, unfinished)
    }

    /// The figures of what a phase cost: CPU shares, write transactions per
    /// second and per operation, all transactions per operation.
    private static func append(_ cost: PhaseMeter.Cost, id: String, operations: Int, operation: String, into report: inout BenchReport) {
        for (index, share) in cost.cpu.servers.enumerated() {
            report.figures.append(Figure(
                id: "\(id)-cpu-server-\(index + 1)", workload: "\(id): CPU of server \(index + 1)", value: share * 100,
                unit: "% of a core"))
        }
        report.figures.append(Figure(
            id: "\(id)-cpu-postgres", workload: "\(id): CPU of the PostgreSQL cluster", value: cost.cpu.cluster * 100,
            unit: "% of a core"))
        report.figures.append(Figure(
            id: "\(id)-cpu-bench", workload: "\(id): CPU of the benchmark (the clients)", value: cost.cpu.benchmark * 100,
            unit: "% of a core"))
        report.figures.append(Figure(
            id: "\(id)-write-commits", workload: "\(id): write transactions (transaction ids taken)",
            value: Double(cost.writeTransactions) / cost.seconds, unit: "commits/s"))
        report.figures.append(Figure(
            id: "\(id)-per-commit", workload: "\(id): \(operation)s per write transaction",
            value: Double(operations) / Double(max(cost.writeTransactions, 1)), unit: "\(operation)s"))
        report.figures.append(Figure(
            id: "\(id)-transactions", workload: "\(id): transactions committed (pg_stat_database) per \(operation)",
            value: Double(cost.commits) / Double(max(operations, 1)), unit: "per \(operation)"))
        report.notes.append("\(id): \(cost.cpu.description) over \(String(format: "%.1f", cost.seconds)) s")
    }
}
