import ArgumentParser
import Foundation

/// The `jobledger-bench` command: runs the write, job and read workloads
/// against fresh ledgers and prints their figures next to raw LMDB and
/// SQLite baselines measured in the same run.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobledger-bench",
        abstract: "Measures the event store and job ledger against raw LMDB and SQLite baselines.",
        discussion: """
            Every workload writes to a fresh directory under --dir, removed afterwards. \
            Appends are durable (fsync on) except when filling the logs that read workloads scan. \
            Workloads whose peak RSS is reported run in child processes so that the peak is their own.
            """)

    @Flag(help: "Small counts, so the whole run takes well under a minute.")
    var quick = false

    @Flag(help: "Print one JSON document on standard output instead of the table.")
    var json = false

    @Option(help: "Events in the log the read workload scans (default 1,000,000; 100,000 with --quick).")
    var events: Int?

    @Option(help: "Events in the job log that rebuild, report and export read (default 1,000,000; 30,000 with --quick).")
    var logEvents: Int?

    @Option(help: "Jobs in the ledger the list workload pages through (default 1,000,000; 20,000 with --quick).")
    var listJobs: Int?

    @Option(help: "Jobs in the ledger of the dashboard workload (default 1,000,000; 20,000 with --quick).")
    var dashboardJobs: Int?

    @Option(help: "Seconds the dashboard workload's live page follows the writers (default 15; 3 with --quick).")
    var dashboardLiveSeconds: Int?

    @Option(help: "Events in the logs of the pages workload before its measured commits (default 1,000,000; 100,000 with --quick).")
    var pagesEvents: Int?

    @Option(help: "Jobs the workers of the jobs workload process (default 20,000; 2,000 with --quick).")
    var jobs: Int?

    @Option(help: "Jobs each of the 8 ledger workers has in hand at once in the jobs workload (default 8).")
    var jobsPerWorker: Int?

    @Option(help: "How SQLite clients connect: a DatabaseQueue each (queues) or one shared DatabasePool (pool).")
    var sqliteConnections: SQLiteConnections = .pool

    @Option(
        help: ArgumentHelp(
            "Where to write the throughput-versus-clients chart (SVG); default Docs/throughput.svg "
                + "when that folder exists and the run is not --quick.",
            valueName: "path"))
    var chart: String?

    @Option(
        help: ArgumentHelp(
            "Run only this workload (repeatable); the baselines of its ratios run too.",
            valueName: "workload"))
    var only: [WorkloadName] = []

    @Option(help: "Parent directory for the scratch ledgers (default: the system temporary directory).")
    var dir: String?

    @Option(
        help: ArgumentHelp(
            "Where the http workload finds jobledger, jobledger-server and RemoteWorkerProbe (default: beside "
                + "this executable, then the .build/release of the ledger package it was built in).",
            valueName: "directory"))
    var binDir: String?

    @Option(
        help: ArgumentHelp(
            "The PostgreSQL cluster of the postgres workload, as a superuser's URL to its postgres database "
                + "(default: a throwaway cluster started by the ledger package's scripts/postgres-cluster).",
            valueName: "url"))
    var postgresURL: String?

    @Option(help: "Rows per transaction of the postgres workload's batched plain SQL baseline (default 64).")
    var postgresBatchRows: Int = 64

    @Option(help: "How the batched plain SQL baseline inserts its rows: unnest (arrays) or values (a VALUES list).")
    var postgresBatchForm: PostgresBatchStyle = .unnest

    @Option(help: "Server processes the postgres workload runs on its database (default 2).")
    var postgresServers: Int = 2

    @Option(help: "Jobs each of the postgres workload's 16 remote workers has in hand at once (default 4).")
    var postgresWorkerSlots: Int = 4

    @Option(help: "Events in the long log of the postgres workload's latency comparison (default 1,000,000).")
    var postgresLongLog: Int?

    @Flag(help: "Leave the scratch ledgers in place (their directory is printed), to inspect or profile them.")
    var keep = false

    @Option(help: .hidden)
    var child: ChildTask?

    @Option(help: .hidden)
    var target: String?

    mutating func validate() throws {
        for (name, value) in [
            ("--events", events), ("--log-events", logEvents), ("--list-jobs", listJobs), ("--jobs", jobs),
            ("--dashboard-jobs", dashboardJobs), ("--dashboard-live-seconds", dashboardLiveSeconds),
            ("--jobs-per-worker", jobsPerWorker), ("--postgres-batch-rows", postgresBatchRows),
            ("--postgres-worker-slots", postgresWorkerSlots), ("--postgres-servers", postgresServers),
            ("--postgres-long-log", postgresLongLog), ("--pages-events", pagesEvents),
        ] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        if let logEvents, logEvents < 2 { throw ValidationError("--log-events must be at least 2") }
        if let listJobs, listJobs < ChildTasks.listLimit * 100 {
            throw ValidationError("--list-jobs must be at least \(ChildTasks.listLimit * 100)")
        }
        if child != nil && target == nil { throw ValidationError("--child needs --target") }
    }

    func run() async throws {
        var counts = BenchCounts.make(
            quick: quick, events: events, logEvents: logEvents, listJobs: listJobs, jobs: jobs, pagesEvents: pagesEvents)
        if let jobsPerWorker { counts.jobsPerWorker = jobsPerWorker }
        if let child, let target {
            let report = try await ChildTasks.run(child, target: target, counts: counts)
            print(try report.json())
            return
        }
        let selection = WorkloadName.selection(for: only)
        let parent = dir ?? FileManager.default.temporaryDirectory.path
        let scratch = try ScratchDirectory(parent: parent)
        defer {
            if keep {
                Progress.note("scratch ledgers kept in \(scratch.path)")
            } else {
                scratch.remove()
            }
        }
        let stopwatch = Stopwatch()

        var report: BenchReport
        if selection == [.read] {
            // Alone (as in the child process): measure in this process.
            report = try await ReadWorkload.run(scratch: scratch, counts: counts)
        } else {
            report = BenchReport(machine: .current(directory: scratch.path), counts: counts)
            try await runWrites(selection, counts: counts, scratch: scratch, into: &report)
            try await runJobs(selection, counts: counts, scratch: scratch, into: &report)
            if selection.contains(.read) {
                Progress.note("read: starting a child process for \(counts.readEvents) events")
                report.merge(try await ReadChildProcess.run(parentDirectory: parent, events: counts.readEvents))
            }
            if selection.contains(.log) {
                report.merge(try await LogAndListWorkloads.runLog(
                    counts: counts, scratch: scratch, mode: sqliteConnections, quick: quick))
            }
            if selection.contains(.list) {
                report.merge(try await LogAndListWorkloads.runList(
                    counts: counts, scratch: scratch, mode: sqliteConnections, quick: quick))
            }
            if selection.contains(.http) {
                try await HTTPWorkloads.run(
                    counts: counts, scratch: scratch, executables: ReleaseExecutables(binDirectory: binDir), quick: quick,
                    into: &report)
            }
            if selection.contains(.pages) {
                let paths = (scratch.directory(for: "pages-raw"), scratch.directory(for: "pages-ledger"))
                let pageCounts = counts
                Progress.note(
                    "pages: raw LMDB and the ledger, \(counts.pagesLogEvents) events each, then \(counts.pagesCommits) "
                        + "one-event durable commits per side and stream, alternating in \(counts.pagesRounds) rounds")
                let pages = try await DedicatedThread.run("jobledger-bench.pages") {
                    try CommitPagesWorkload.run(rawPath: paths.0, storePath: paths.1, counts: pageCounts)
                }
                report.commitPages = pages
                report.figures += CommitPagesWorkload.figures(pages)
            }
            if selection.contains(.postgres) {
                try await PostgresWorkload.run(
                    clusterURL: postgresURL, counts: counts,
                    postgres: PostgresCounts(
                        quick: quick, batch: postgresBatchForm.form(rows: postgresBatchRows),
                        servers: postgresServers, workerSlots: postgresWorkerSlots, longLogEvents: postgresLongLog),
                    scratch: scratch, executables: ReleaseExecutables(binDirectory: binDir), into: &report)
            }
            report.notes.append(
                "SQLite clients connect through \(sqliteConnections == .pool ? "one shared DatabasePool" : "a DatabaseQueue each")"
                    + String(format: "; the whole run took %.0f s", stopwatch.elapsedSeconds))
        }
        report.finalize()
        print(json ? try report.json() : ReportTable.render(report))
    }

    /// What one side of an interleaved run measured.
    private struct SideResult: Sendable {
        var totals: InterleavedRounds.Totals
        var peakMB: Double
    }

    /// Runs the selected append workloads and their baselines, in order.
    private func runWrites(
        _ selection: Set<WorkloadName>, counts: BenchCounts, scratch: ScratchDirectory, into report: inout BenchReport
    ) async throws {
        let events = BenchEvents(payloadBytes: counts.payloadBytes)
        let mode = sqliteConnections

        if selection.contains(.rawCommit) || selection.contains(.single) {
            let withSingle = selection.contains(.single)
            let withSQLite = selection.contains(.sqlite)
            Progress.note(
                "A: raw LMDB, \(counts.singleCommits) durable commits of 1 put"
                    + (withSingle ? "; single: 1 client, \(counts.singleCommits) durable appends of 1 event" : "")
                    + (withSQLite ? "; SQLite: 1 client, \(counts.sqliteSingleAppends) durable transactions of 1 event" : "")
                    + ", alternating in \(counts.singleRounds) rounds")
            let rawPath = scratch.directory(for: "raw-commit")
            let singlePath = withSingle ? scratch.directory(for: "single") : nil
            let sqlitePath = withSQLite ? scratch.directory(for: "sqlite-single.sqlite") : nil
            let (sides, batches, costs) = try await DedicatedThread.run("jobledger-bench.single") {
                () throws -> ([SideResult?], BatchFigures?, [WriteCostFigures]) in
                let baseline = try RawLMDBBaseline(
                    at: rawPath, valueBytes: counts.payloadBytes, expectedPuts: counts.singleCommits)
                let client = try singlePath.map { try SingleClientAppend(at: $0, events: events) }
                let sqlite = try sqlitePath.map {
                    try SQLiteSingleClient(at: $0, mode: mode, payloadBytes: counts.payloadBytes)
                }
                let trackers = [PeakTracker(), PeakTracker(), PeakTracker()]
                let meters = [WriteCostMeter(workload: "A raw LMDB, 1 put"), WriteCostMeter(workload: "EventStore 1 client")]
                meters[0].start(try baseline.pageSnapshot())
                try client.map { meters[1].start(try $0.pageSnapshot()) }
                var sides = [InterleavedRounds.Side(total: counts.singleCommits) { count in
                    try trackers[0].measure {
                        try meters[0].measure(commits: count, records: 1) { try baseline.commit(count, putsPerCommit: 1) }
                    }
                }]
                if let client {
                    sides.append(.init(total: counts.singleCommits) { count in
                        try trackers[1].measure {
                            try meters[1].measure(statistics: { client.statistics }) { try client.append(count) }
                        }
                    })
                }
                if let sqlite {
                    sides.append(.init(total: counts.sqliteSingleAppends) { count in
                        try trackers[2].measure { try sqlite.append(count) }
                    })
                }
                let totals = try InterleavedRounds.run(rounds: counts.singleRounds, sides: sides)
                try sqlite?.finish()
                meters[0].finish(try baseline.pageSnapshot())
                try client.map { meters[1].finish(try $0.pageSnapshot()) }
                var results: [SideResult?] = [SideResult(totals: totals[0], peakMB: trackers[0].megabytes), nil, nil]
                var next = 1
                if client != nil {
                    results[1] = SideResult(totals: totals[next], peakMB: trackers[1].megabytes)
                    next += 1
                }
                if sqlite != nil { results[2] = SideResult(totals: totals[next], peakMB: trackers[2].megabytes) }
                return (results, try client?.finish(), meters.prefix(client == nil ? 1 : 2).map(\.figures))
            }
            report.writeCosts += costs
            if let raw = sides[0] {
                report.figures.append(Figure(
                    id: "A", workload: "A raw LMDB, 1 put per durable commit", value: raw.totals.rate, unit: "commits/s"))
                report.sidePeaks["A"] = raw.peakMB
            }
            if let single = sides[1], let batches {
                report.figures.append(Figure(
                    id: "single", workload: "EventStore 1 client, 1 event per durable append",
                    value: single.totals.rate, unit: "events/s", baselineID: "A",
                    target: Target(subject: .ratio, comparison: .atLeast, threshold: 0.8)))
                report.sidePeaks["single"] = single.peakMB
                report.groupCommit.append(batches)
            }
            if let sqlite = sides[2] {
                report.figures.append(Figure(
                    id: "sqlite-single", workload: "SQLite 1 client, 1 event per durable transaction",
                    value: sqlite.totals.rate, unit: "events/s", baselineID: "A"))
                report.sidePeaks["sqlite-single"] = sqlite.peakMB
            }
        }

        if selection.contains(.rawBatch) {
            Progress.note("B: raw LMDB, \(counts.rawBatchCommits) durable commits of \(counts.putsPerBatchCommit) puts")
            let path = scratch.directory(for: "raw-batch")
            let seconds = try await DedicatedThread.run("jobledger-bench.raw-batch") {
                let baseline = try RawLMDBBaseline(
                    at: path, valueBytes: counts.payloadBytes,
                    expectedPuts: counts.rawBatchCommits * counts.putsPerBatchCommit)
                return try baseline.commit(counts.rawBatchCommits, putsPerCommit: counts.putsPerBatchCommit)
            }
            report.figures.append(Figure(
                id: "B", workload: "B raw LMDB, \(ReportTable.grouped(counts.putsPerBatchCommit)) puts per durable commit",
                value: Double(counts.rawBatchCommits * counts.putsPerBatchCommit) / max(seconds, 1e-9),
                unit: "puts/s"))
        }

        if selection.contains(.concurrent) {
            let clients = counts.clients
            let withSQLite = selection.contains(.sqlite)
            Progress.note(
                "C: raw LMDB, \(counts.appendsPerClient) durable store-shaped commits of \(clients) events; "
                    + "D: raw LMDB, \(counts.appendsPerClient) durable commits of \(clients) puts; "
                    + "concurrent: \(clients) client threads x \(counts.appendsPerClient) durable appends of 1 event"
                    + (withSQLite ? "; SQLite: \(clients) clients x \(counts.sqliteAppendsPerClient) durable transactions" : "")
                    + ", alternating in \(counts.concurrentRounds) rounds")
            let rawPath = scratch.directory(for: "store-shaped")
            let storePath = scratch.directory(for: "concurrent")
            let appendLogPath = scratch.directory(for: "append-log")
            let sqlitePath = withSQLite ? scratch.directory(for: "sqlite-clients.sqlite") : nil
            let envelopeBytes = events.envelopeBytes(streamID: "job-client-\(clients - 1)")
            let (sides, batches, costs) = try await DedicatedThread.run("jobledger-bench.concurrent") {
                () throws -> ([SideResult?], BatchFigures, [WriteCostFigures]) in
                let baseline = try StoreShapedBaseline(at: rawPath, streams: clients, envelopeBytes: envelopeBytes)
                let appendLog = try RawLMDBBaseline(
                    at: appendLogPath, valueBytes: envelopeBytes, expectedPuts: clients * counts.appendsPerClient)
                let workload = try ConcurrentAppend(at: storePath, clients: clients, events: events)
                let sqlite = try sqlitePath.map {
                    try SQLiteConcurrentClients(at: $0, mode: mode, clients: clients, payloadBytes: counts.payloadBytes)
                }
                let trackers = [PeakTracker(), PeakTracker(), PeakTracker(), PeakTracker()]
                let meters = [
                    WriteCostMeter(workload: "C raw LMDB, \(clients) store-shaped events"),
                    WriteCostMeter(workload: "EventStore \(clients) clients"),
                    WriteCostMeter(workload: "D raw LMDB, \(clients) puts"),
                ]
                meters[0].start(try baseline.pageSnapshot())
                meters[1].start(try workload.pageSnapshot())
                meters[2].start(try appendLog.pageSnapshot())
                var sides = [
                    InterleavedRounds.Side(total: counts.appendsPerClient) { count in
                        try trackers[0].measure {
                            try meters[0].measure(commits: count, records: clients) { try baseline.commit(count) }
                        }
                    },
                    InterleavedRounds.Side(total: counts.appendsPerClient) { count in
                        try trackers[1].measure {
                            try meters[1].measure(statistics: { workload.statistics }) {
                                try workload.append(perClient: count)
                            }
                        }
                    },
                    InterleavedRounds.Side(total: counts.appendsPerClient) { count in
                        try trackers[3].measure {
                            try meters[2].measure(commits: count, records: clients) {
                                try appendLog.commit(count, putsPerCommit: clients)
                            }
                        }
                    },
                ]
                if let sqlite {
                    sides.append(.init(total: counts.sqliteAppendsPerClient) { count in
                        try trackers[2].measure { try sqlite.append(perClient: count) }
                    })
                }
                let totals = try InterleavedRounds.run(rounds: counts.concurrentRounds, sides: sides)
                try sqlite?.finish()
                meters[0].finish(try baseline.pageSnapshot())
                meters[1].finish(try workload.pageSnapshot())
                meters[2].finish(try appendLog.pageSnapshot())
                // Results in the order shaped, ledger, SQLite, append log.
                let trackerOf = [0, 1, 3] + (sqlite == nil ? [] : [2])
                var results: [SideResult?] = zip(totals, trackerOf).map {
                    SideResult(totals: $0, peakMB: trackers[$1].megabytes)
                }
                let appendLogResult = results.remove(at: 2)
                if sqlite == nil { results.append(nil) }
                return (results + [appendLogResult], try workload.finish(), meters.map(\.figures))
            }
            report.writeCosts += costs
            func rate(_ side: SideResult) -> Double { Double(side.totals.operations * clients) / max(side.totals.seconds, 1e-9) }
            /// Adds an events/s figure of one side, with its peak memory.
            func add(_ id: String, _ workload: String, _ side: SideResult, baseline: String? = nil, target: Target? = nil) {
                report.figures.append(Figure(
                    id: id, workload: workload, value: rate(side), unit: "events/s", baselineID: baseline, target: target))
                report.sidePeaks[id] = side.peakMB
            }
            if let shaped = sides[0], let concurrent = sides[1] {
                add("C", "C raw LMDB, \(clients) store-shaped events per durable commit", shaped)
                add("clients", "EventStore \(clients) clients, 1 event per durable append", concurrent, baseline: "C",
                    target: Target(subject: .value, comparison: .atLeast, threshold: 100_000))
            }
            if let appendLog = sides[3], let concurrent = sides[1] {
                add("D", "D raw LMDB, \(clients) puts of one event's size per durable commit", appendLog)
                add("clients-vs-D", "EventStore \(clients) clients against D", concurrent, baseline: "D",
                    target: Target(subject: .ratio, comparison: .atLeast, threshold: 0.5))
            }
            if let sqlite = sides[2] {
                report.figures.append(Figure(
                    id: "sqlite-clients", workload: "SQLite \(clients) clients, 1 event per durable transaction",
                    value: rate(sqlite), unit: "events/s", baselineID: "C"))
                report.sidePeaks["sqlite-clients"] = sqlite.peakMB
            }
            report.groupCommit.append(batches)
        }

        if selection.contains(.shared) {
            let clients = counts.clients
            Progress.note(
                "shared: \(clients) clients x \(counts.sharedAppendsPerClient) successful durable appends to "
                    + "\(counts.sharedStreams) shared streams, ledger and SQLite alternating in 4 rounds")
            let ledgerPath = scratch.directory(for: "shared")
            let sqlitePath = scratch.directory(for: "shared.sqlite")
            let result = try await DedicatedThread.run("jobledger-bench.shared") {
                () throws -> (ledger: SideResult, sqlite: SideResult, conflicts: (Int, Int), batches: BatchFigures) in
                let ledger = try LedgerSharedStreams(
                    at: ledgerPath, clients: clients, streams: counts.sharedStreams, events: events)
                let sqlite = try SQLiteSharedStreams(
                    at: sqlitePath, mode: mode, clients: clients, streams: counts.sharedStreams,
                    payloadBytes: counts.payloadBytes)
                let trackers = [PeakTracker(), PeakTracker()]
                let totals = try InterleavedRounds.run(rounds: 4, sides: [
                    .init(total: counts.sharedAppendsPerClient) { count in
                        try trackers[0].measure { try ledger.append(perClient: count) }
                    },
                    .init(total: counts.sharedAppendsPerClient) { count in
                        try trackers[1].measure { try sqlite.append(perClient: count) }
                    },
                ])
                let batches = try ledger.finish()
                try sqlite.finish()
                return (
                    SideResult(totals: totals[0], peakMB: trackers[0].megabytes),
                    SideResult(totals: totals[1], peakMB: trackers[1].megabytes), (ledger.conflicts, sqlite.conflicts),
                    batches
                )
            }
            func rate(_ side: SideResult) -> Double { Double(side.totals.operations * clients) / max(side.totals.seconds, 1e-9) }
            let appended = counts.sharedAppendsPerClient * clients
            report.figures.append(Figure(
                id: "shared", workload: "EventStore \(clients) clients, \(counts.sharedStreams) shared streams, successful appends",
                value: rate(result.ledger), unit: "events/s", baselineID: "sqlite-shared"))
            report.figures.append(Figure(
                id: "sqlite-shared", workload: "SQLite \(clients) clients, \(counts.sharedStreams) shared streams, successful appends",
                value: rate(result.sqlite), unit: "events/s", baselineID: "C"))
            report.figures.append(Figure(
                id: "shared-conflicts", workload: "EventStore shared streams: conflicts (= retries) per successful append",
                value: Double(result.conflicts.0) / Double(appended), unit: "per append",
                baselineID: "sqlite-shared-conflicts"))
            report.figures.append(Figure(
                id: "sqlite-shared-conflicts", workload: "SQLite shared streams: conflicts (= retries) per successful append",
                value: Double(result.conflicts.1) / Double(appended), unit: "per append"))
            report.sidePeaks["shared"] = result.ledger.peakMB
            report.sidePeaks["sqlite-shared"] = result.sqlite.peakMB
            report.sideConflicts["shared"] = result.conflicts.0
            report.sideConflicts["sqlite-shared"] = result.conflicts.1
            report.groupCommit.append(result.batches)
        }
    }

    /// Runs the selected job workloads: workers, cancel latency, the
    /// clients sweep.
    private func runJobs(
        _ selection: Set<WorkloadName>, counts: BenchCounts, scratch: ScratchDirectory, into report: inout BenchReport
    ) async throws {
        let mode = sqliteConnections

        if selection.contains(.jobs) {
            Progress.note(
                "jobs: \(counts.jobWorkers) workers with \(counts.jobsPerWorker) jobs each at once claim and complete "
                    + "\(counts.jobs) jobs on the ledger and "
                    + "\(counts.baselineJobs) on SQLite and raw LMDB, durable, alternating in \(counts.jobRounds) rounds")
            let paths = (
                scratch.directory(for: "jobs-ledger"), scratch.directory(for: "jobs.sqlite"), scratch.directory(for: "jobs-raw")
            )
            struct JobsResult: Sendable {
                var sides: [SideResult]
                var ledgerChecks: (doubleClaims: Int, unfinished: Int)
                var sqliteChecks: (doubleClaims: Int, unfinished: Int)
                var ledgerConflicts: Int
                var sqliteConflicts: Int
                var batches: BatchFigures
            }
            let result = try await DedicatedThread.run("jobledger-bench.jobs") { () throws -> JobsResult in
                let ledger = try LedgerJobs(
                    at: paths.0, workers: counts.jobWorkers, jobsPerWorker: counts.jobsPerWorker, builders: counts.builders)
                // The baselines keep one thread per worker: with a thread per
                // job in hand, SQLite spends its time waiting on its write
                // lock (64 connections measured a quarter of the 8-connection rate).
                let sqlite = try SQLiteJobs(at: paths.1, mode: mode, workers: counts.jobWorkers)
                let raw = try RawJobsBaseline(at: paths.2, workers: counts.jobWorkers)
                let trackers = [PeakTracker(), PeakTracker(), PeakTracker()]
                let totals = try InterleavedRounds.run(rounds: counts.jobRounds, sides: [
                    .init(total: counts.jobs) { count in try trackers[0].measure { try ledger.run(count) } },
                    .init(total: counts.baselineJobs) { count in try trackers[1].measure { try sqlite.run(count) } },
                    .init(total: counts.baselineJobs) { count in try trackers[2].measure { try raw.run(count) } },
                ])
                return JobsResult(
                    sides: totals.indices.map { SideResult(totals: totals[$0], peakMB: trackers[$0].megabytes) },
                    ledgerChecks: try ledger.verify(), sqliteChecks: try sqlite.verify(),
                    ledgerConflicts: ledger.refusedAppends, sqliteConflicts: sqlite.conflicts, batches: ledger.batches)
            }
            guard result.ledgerChecks.unfinished == 0, result.sqliteChecks.unfinished == 0 else {
                throw BenchError.verification(
                    "jobs left unfinished: ledger \(result.ledgerChecks.unfinished), SQLite \(result.sqliteChecks.unfinished)")
            }
            let names = ["jobs", "sqlite-jobs", "raw-jobs"]
            let labels = [
                "JobLedger \(counts.jobWorkers) workers x \(counts.jobsPerWorker) jobs at once, claim + complete, durable",
                "SQLite \(counts.jobWorkers) connections, claim + complete, durable",
                "raw LMDB \(counts.jobWorkers) threads, claim + complete, durable",
            ]
            let baselines: [String?] = ["sqlite-jobs", "raw-jobs", nil]
            for index in 0..<3 {
                report.figures.append(Figure(
                    id: names[index], workload: labels[index], value: result.sides[index].totals.rate, unit: "jobs/s",
                    baselineID: baselines[index],
                    target: index == 0 ? Target(subject: .value, comparison: .atLeast, threshold: 5_000) : nil))
                report.sidePeaks[names[index]] = result.sides[index].peakMB
            }
            report.figures.append(Figure(
                id: "jobs-double-claims",
                workload: "JobLedger jobs whose stream does not hold exactly one JobClaimed (of \(ReportTable.grouped(counts.jobs)))",
                value: Double(result.ledgerChecks.doubleClaims), unit: "jobs", baselineID: "sqlite-jobs-double-claims",
                target: Target(subject: .value, comparison: .below, threshold: 1)))
            report.figures.append(Figure(
                id: "sqlite-jobs-double-claims",
                workload: "SQLite jobs with other than one JobClaimed (of \(ReportTable.grouped(counts.baselineJobs)))",
                value: Double(result.sqliteChecks.doubleClaims), unit: "jobs"))
            report.figures.append(Figure(
                id: "jobs-conflicts", workload: "JobLedger claims that lost a race (refused appends) per job",
                value: Double(result.ledgerConflicts) / Double(counts.jobs), unit: "per job",
                baselineID: "sqlite-jobs-conflicts"))
            report.figures.append(Figure(
                id: "sqlite-jobs-conflicts", workload: "SQLite claims that lost a race (unique-key conflicts) per job",
                value: Double(result.sqliteConflicts) / Double(counts.baselineJobs), unit: "per job"))
            report.sideConflicts["jobs"] = result.ledgerConflicts
            report.sideConflicts["sqlite-jobs"] = result.sqliteConflicts
            report.sideConflicts["raw-jobs"] = 0
            report.groupCommit.append(result.batches)
        }

        if selection.contains(.cancel) {
            let interval = Double(counts.renewIntervalMilliseconds) / 1000
            Progress.note(
                "cancel: \(counts.cancelRepeats) running jobs cancelled, worker renewing every "
                    + "\(counts.renewIntervalMilliseconds) ms, durable")
            let outcome = try await CancelLatency.run(
                at: scratch.directory(for: "cancel-ledger"), repeats: counts.cancelRepeats, interval: interval)
            let latencies = outcome.latencies.sorted()
            func rank(_ p: Double) -> Double {
                latencies[min(latencies.count - 1, max(0, Int((p * Double(latencies.count)).rounded(.up)) - 1))]
            }
            let gap = outcome.renewalGaps.isEmpty
                ? interval : outcome.renewalGaps.reduce(0, +) / Double(outcome.renewalGaps.count)
            let limit = Double(counts.renewIntervalMilliseconds)
            report.figures.append(Figure(
                id: "renewal-gap",
                workload: "Worker lease renewal period, measured (configured \(counts.renewIntervalMilliseconds) ms)",
                value: gap * 1000, unit: "ms"))
            report.figures.append(Figure(
                id: "cancel-median", workload: "cancel of a running job to the worker's acknowledgement, median",
                value: rank(0.5) * 1000, unit: "ms", baselineID: "renewal-gap",
                target: Target(subject: .value, comparison: .below, threshold: limit)))
            report.figures.append(Figure(
                id: "cancel-p99", workload: "cancel of a running job to the worker's acknowledgement, p99",
                value: rank(0.99) * 1000, unit: "ms", baselineID: "renewal-gap",
                target: Target(subject: .value, comparison: .below, threshold: limit)))
            report.notes.append(String(
                format: "cancel: %d jobs, latency min %.1f ms, max %.1f ms; %d renewal gaps measured; "
                    + "worker: %d cancelled, %d settlements and %d renewals refused",
                latencies.count, (latencies.first ?? 0) * 1000, (latencies.last ?? 0) * 1000, outcome.renewalGaps.count,
                outcome.statistics.cancelled, outcome.statistics.settlementsRefused, outcome.statistics.renewalsRefused))
        }

        if selection.contains(.personal) {
            let personalCounts = PersonalFieldsWorkload.Counts.make(quick: quick)
            Progress.note(
                "personal: \(personalCounts.jobs) submits and \(personalCounts.reads) reads with and without personal "
                    + "fields, no fsync, alternating in \(personalCounts.rounds) rounds")
            let paths = (scratch.directory(for: "personal-plain"), scratch.directory(for: "personal-sealed"))
            let (figures, note) = try await DedicatedThread.run("jobledger-bench.personal") {
                try PersonalFieldsWorkload.run(plainPath: paths.0, sealedPath: paths.1, counts: personalCounts)
            }
            report.figures += figures
            report.notes.append(note)
        }

        if selection.contains(.retention) {
            let retentionCounts = RetentionWorkload.Counts.make(quick: quick)
            Progress.note("retention: \(retentionCounts.jobs) ended jobs scavenged, against a whole-log export, no fsync")
            let directory = scratch.directory(for: "retention")
            let (figures, note) = try await DedicatedThread.run("jobledger-bench.retention") {
                try RetentionWorkload.run(directory: directory, counts: retentionCounts)
            }
            report.figures += figures
            report.notes.append(note)
        }

        if selection.contains(.dashboard) {
            let dashboardCounts = DashboardWorkload.Counts.make(quick: quick, jobs: dashboardJobs, liveSeconds: dashboardLiveSeconds)
            let (figures, note) = try await DashboardWorkload.run(
                counts: dashboardCounts, scratch: scratch, executables: ReleaseExecutables(binDirectory: binDir),
                builders: counts.builders)
            report.figures += figures
            report.notes.append(note)
        }

        if selection.contains(.features) {
            for durable in [true, false] {
                let featureCounts = JobFeaturesWorkload.Counts.make(quick: quick, durable: durable)
                let mode = durable ? "durable" : "no fsync"
                Progress.note(
                    "features (\(mode)): \(featureCounts.jobs) claims per side, plain, beside \(featureCounts.scheduled) "
                        + "scheduled jobs, and with a concurrency limit, alternating in \(featureCounts.rounds) rounds")
                let name = durable ? "features" : "features-nosync"
                let paths = (
                    plain: scratch.directory(for: "\(name)-plain"), scheduled: scratch.directory(for: "\(name)-scheduled"),
                    limited: scratch.directory(for: "\(name)-limited"))
                let (figures, note) = try await DedicatedThread.run("jobledger-bench.features") {
                    try JobFeaturesWorkload.run(paths: paths, counts: featureCounts, durable: durable)
                }
                report.figures += figures
                report.notes.append(note)
            }
        }

        if selection.contains(.clients) {
            Progress.note("clients: SQLite and the ledger at \(counts.sweepClients.map(String.init).joined(separator: ", ")) clients")
            let events = BenchEvents(payloadBytes: counts.payloadBytes)
            let points = try await DedicatedThread.run("jobledger-bench.sweep") {
                try ClientSweep.run(counts: counts, scratch: scratch, mode: mode, events: events)
            }
            report.sweep = points
            let destination = chart ?? (quick ? nil : "Docs/throughput.svg")
            if let destination {
                let folder = URL(fileURLWithPath: destination).deletingLastPathComponent().path
                if FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder) {
                    let subtitle = "\(report.machine.processors) CPUs, \(report.machine.fileSystem); "
                        + "\(ReportTable.grouped(counts.sweepAppends)) appends per point and system, "
                        + "\(counts.payloadBytes)-byte payloads; SQLite: "
                        + (mode == .pool ? "one DatabasePool" : "a DatabaseQueue per client")
                    try ThroughputChart.svg(points, subtitle: subtitle).write(
                        toFile: destination, atomically: true, encoding: .utf8)
                    report.notes.append("clients: chart written to \(URL(fileURLWithPath: destination).lastPathComponent)")
                } else {
                    report.notes.append("clients: chart not written: its folder does not exist")
                }
            }
        }
    }
}
