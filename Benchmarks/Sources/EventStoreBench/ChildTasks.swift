import ArgumentParser
import EventStore
import Foundation
import GRDB
import JobLedger
import LMDB

/// The hidden tasks the benchmark runs in child processes, one each, so
/// that every peak RSS is that of a process doing only that task: open the
/// data, do the one thing, report. `VmHWM` of the whole child is the peak.
enum ChildTask: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Raw LMDB cursor walk over the job log's `events` database.
    case logScan = "log-scan"
    /// `EventStore.forEachEvent` over the job log.
    case logRead = "log-read"
    /// `JobLedger.rebuildProjections` of the job log.
    case rebuild
    /// `JobLedger.report` over the job log.
    case report
    /// `EventStore.exportEvents` of the job log as JSON Lines to /dev/null.
    case export
    /// Full exports of the job log with and without checksum verification,
    /// in alternating rounds: what verifying every event on read costs.
    case exportChecksums = "export-checksums"
    /// The SQLite baseline's rebuild of its job table from its events.
    case sqliteRebuild = "sqlite-rebuild"
    /// The first page of pending jobs of one organisation, job ledger.
    case listLedger = "list-ledger"
    /// The same page from SQLite.
    case listSQLite = "list-sqlite"
    /// The same page from a raw LMDB index.
    case listRaw = "list-raw"
}

/// The child side of ``ChildTask``.
enum ChildTasks {
    /// "MB" in the report: 2^20 bytes, as /proc counts in KiB.
    static let megabyte = 1_048_576.0
    /// The organisation whose pending jobs the list workload pages through.
    static let listOrganisation = "org-7"
    /// The page size of the list workload.
    static let listLimit = 50

    /// What a task measured.
    struct Outcome: Sendable {
        var figures: [Figure] = []
        var notes: [String] = []
    }

    /// Runs `task` on the ledger or database at `target`.
    static func run(_ task: ChildTask, target: String, counts: BenchCounts) async throws -> BenchReport {
        let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
        var report = BenchReport(machine: .current(directory: directory), counts: counts)
        let outcome = try await DedicatedThread.run("jobledger-bench.child-task") { () throws -> Outcome in
            switch task {
            case .logScan: return try logScan(target)
            case .logRead: return try logRead(target)
            case .rebuild: return try rebuild(target)
            case .report: return try jobReport(target)
            case .export: return try export(target)
            case .exportChecksums: return try ExportChecksumCost.measure(target)
            case .sqliteRebuild: return try sqliteRebuild(target)
            case .listLedger, .listSQLite, .listRaw: return try list(task, target, repeats: counts.listRepeats)
            }
        }
        report.figures = outcome.figures
        report.notes = outcome.notes
        return report
    }

    /// The peak RSS figure of this process, with its target and baseline.
    private static func peakFigure(
        _ id: String, _ workload: String, baseline: String? = nil, below: Double? = nil
    ) -> Figure {
        Figure(
            id: id, workload: workload, value: Double(PeakMemory.peakResident ?? 0) / megabyte, unit: "MB",
            baselineID: baseline, target: below.map { Target(subject: .value, comparison: .below, threshold: $0) })
    }

    private static func memoryNote(_ task: String, anonymousPeak: Int) -> String {
        String(
            format: "%@: peak anonymous RSS (sampled) %.1f MB, file-backed RSS at the end %.1f MB", task,
            Double(anonymousPeak) / megabyte, Double(PeakMemory.fileResident ?? 0) / megabyte)
    }

    // MARK: The job log

    private static func logScan(_ path: String) throws -> Outcome {
        let dataBytes = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int) ?? 0
        var options = EnvironmentOptions()
        options.readOnly = true
        options.maxDatabases = 64
        options.mapSize = max(64 << 20, (dataBytes / (1 << 20) + 1) << 20)
        let environment = try Environment(path: path, options: options)
        let events = try environment.openDatabase("events", flags: [])
        let sampler = AnonymousMemorySampler()
        let stopwatch = Stopwatch()
        let (visited, checksum) = try RawCursorScan.scan(events, in: environment)
        let seconds = stopwatch.elapsedSeconds
        let anonymous = sampler.stop()
        guard visited > 0, checksum != 0 else { throw BenchError.verification("the raw scan found no events") }
        return Outcome(
            figures: [
                Figure(
                    id: "log-scan", workload: "raw LMDB cursor scan of the job log's events, \(ReportTable.grouped(visited))",
                    value: Double(visited) / max(seconds, 1e-9), unit: "events/s"),
                peakFigure("log-scan-rss", "raw LMDB scan of the job log: peak RSS (VmHWM)"),
            ],
            notes: [
                memoryNote("log-scan", anonymousPeak: anonymous),
                String(format: "job log: data file %.0f MB", Double(dataBytes) / megabyte),
            ])
    }

    private static func logRead(_ path: String) throws -> Outcome {
        let store = try EventStore.open(at: path)
        let sampler = AnonymousMemorySampler()
        var checksum: UInt64 = 0
        let stopwatch = Stopwatch()
        let delivered = try store.forEachEvent { event in
            checksum &+= event.position &+ UInt64(event.payload.count)
            return true
        }
        let seconds = stopwatch.elapsedSeconds
        let anonymous = sampler.stop()
        guard checksum != 0 else { throw BenchError.verification("forEachEvent delivered nothing") }
        return Outcome(
            figures: [
                Figure(
                    id: "log-read", workload: "EventStore forEachEvent over the job log, \(ReportTable.grouped(delivered))",
                    value: Double(delivered) / max(seconds, 1e-9), unit: "events/s", baselineID: "log-scan"),
                Figure(id: "log-read-seconds", workload: "EventStore forEachEvent over the job log: time", value: seconds, unit: "s"),
                peakFigure("log-read-rss", "EventStore forEachEvent over the job log: peak RSS (VmHWM)", baseline: "log-scan-rss"),
            ],
            notes: [memoryNote("log-read", anonymousPeak: anonymous)])
    }

    private static func rebuild(_ path: String) throws -> Outcome {
        let ledger = try JobLedger(path: path)
        let sampler = AnonymousMemorySampler()
        let cpu = ProcessCPU.now()
        let stopwatch = Stopwatch()
        let rebuilt = try ledger.rebuildProjections()
        let seconds = stopwatch.elapsedSeconds
        let used = ProcessCPU.now().description(since: cpu, wall: seconds)
        let anonymous = sampler.stop()
        let rate = Double(rebuilt.events) / max(seconds, 1e-9)
        return Outcome(
            figures: [
                Figure(
                    id: "rebuild",
                    workload: "JobLedger rebuildProjections, \(ReportTable.grouped(rebuilt.events)) events (durable commit)",
                    value: rate, unit: "events/s", baselineID: "log-scan",
                    target: Target(subject: .ratio, comparison: .atLeast, threshold: 0.3)),
                Figure(
                    id: "rebuild-vs-read", workload: "JobLedger rebuildProjections against forEachEvent of the same log",
                    value: rate, unit: "events/s", baselineID: "log-read"),
                peakFigure("rebuild-rss", "JobLedger rebuildProjections: peak RSS (VmHWM)", baseline: "log-scan-rss"),
            ],
            notes: [
                memoryNote("rebuild", anonymousPeak: anonymous),
                "rebuild: \(ReportTable.grouped(rebuilt.entries)) projection entries written; \(used); "
                    + "map grown \(ledger.embeddedStore?.mapGrowths ?? 0) times",
            ])
    }

    private static func jobReport(_ path: String) throws -> Outcome {
        let ledger = try JobLedger(path: path)
        let sampler = AnonymousMemorySampler()
        let stopwatch = Stopwatch()
        let report = try ledger.report()
        let seconds = stopwatch.elapsedSeconds
        let anonymous = sampler.stop()
        let jobs = report.byState.values.reduce(0, +)
        guard jobs > 0 else { throw BenchError.verification("the report counted no jobs") }
        let states = report.byState.sorted { $0.key < $1.key }.map { "\($0.key) \(ReportTable.grouped($0.value))" }
        return Outcome(
            figures: [
                Figure(
                    id: "report", workload: "JobLedger report over the job log (\(ReportTable.grouped(jobs)) jobs)",
                    value: seconds, unit: "s", baselineID: "log-read-seconds",
                    target: Target(subject: .value, comparison: .below, threshold: 3)),
                peakFigure("report-rss", "JobLedger report: peak RSS (VmHWM)", baseline: "log-scan-rss", below: 200),
            ],
            notes: [
                memoryNote("report", anonymousPeak: anonymous),
                "report: jobs by state: " + states.joined(separator: ", "),
            ])
    }

    private static func export(_ path: String) throws -> Outcome {
        let store = try EventStore.open(at: path)
        guard let sink = FileHandle(forWritingAtPath: "/dev/null") else {
            throw BenchError.verification("cannot open /dev/null")
        }
        let sampler = AnonymousMemorySampler()
        let stopwatch = Stopwatch()
        let written = try store.exportEvents(to: sink, format: .jsonLines)
        let seconds = stopwatch.elapsedSeconds
        let anonymous = sampler.stop()
        try sink.close()
        return Outcome(
            figures: [
                Figure(
                    id: "export", workload: "EventStore exportEvents, \(ReportTable.grouped(written)) events, JSON Lines to /dev/null",
                    value: Double(written) / max(seconds, 1e-9), unit: "events/s", baselineID: "log-read",
                    target: Target(subject: .value, comparison: .atLeast, threshold: 300_000)),
                peakFigure("export-rss", "EventStore exportEvents: peak RSS (VmHWM)", baseline: "log-scan-rss", below: 100),
            ],
            notes: [memoryNote("export", anonymousPeak: anonymous)])
    }

    /// Payload fields the SQLite projection needs, decoded with Foundation's
    /// `JSONDecoder`, as a user of SQLite would (the ledger reads its flat
    /// payloads by hand and falls back to the same decoder).
    private struct Submitted: Decodable {
        var type: String
        var organisation: String
        var owner: String
        var priority: Int
        var payload: String
    }

    private struct Claimed: Decodable {
        var worker: String
        var attempt: Int
        var leaseUntil: String
    }

    /// Reads every event in position order and folds the job events into the
    /// jobs table, one write per event through prepared statements, in one
    /// durable transaction: what the ledger's rebuild does, on SQLite.
    private static func sqliteRebuild(_ path: String) throws -> Outcome {
        let writer = try SQLiteDatabase.openQueue(path)
        let decoder = JSONDecoder()
        let sampler = AnonymousMemorySampler()
        let cpu = ProcessCPU.now()
        let stopwatch = Stopwatch()
        var events = 0
        try writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "DELETE FROM jobs")
                let insert = try db.makeStatement(sql: """
                    INSERT INTO jobs (id, version, state, type, organisation, owner, priority, submitted_at,
                                      submitted_position, payload)
                    VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)
                    """)
                let claim = try db.makeStatement(sql: """
                    UPDATE jobs SET state = 'running', version = ?, attempt = ?, worker = ?, lease_until = ? WHERE id = ?
                    """)
                let complete = try db.makeStatement(sql: """
                    UPDATE jobs SET state = 'completed', version = ?, worker = NULL, lease_until = NULL WHERE id = ?
                    """)
                let other = try db.makeStatement(sql: "UPDATE jobs SET version = ? WHERE id = ?")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT position, stream, version, type, recorded_at, payload FROM events ORDER BY position")
                while let row = try rows.next() {
                    events += 1
                    let stream: String = row[1]
                    guard stream.hasPrefix("job-") else { continue }
                    let id = String(stream.dropFirst(4))
                    let version: Int64 = row[2]
                    let type: String = row[3]
                    switch type {
                    case "JobSubmitted":
                        let data = try decoder.decode(Submitted.self, from: row[5] as Data)
                        try insert.execute(arguments: [
                            id, version, data.type, data.organisation, data.owner, data.priority, row[4] as Int64,
                            row[0] as Int64, data.payload,
                        ])
                    case "JobClaimed", "LeaseRenewed":
                        let data = try decoder.decode(Claimed.self, from: row[5] as Data)
                        try claim.execute(arguments: [version, data.attempt, data.worker, data.leaseUntil, id])
                    case "JobCompleted":
                        try complete.execute(arguments: [version, id])
                    default:
                        try other.execute(arguments: [version, id])
                    }
                }
                return .commit
            }
        }
        let seconds = stopwatch.elapsedSeconds
        let used = ProcessCPU.now().description(since: cpu, wall: seconds)
        let anonymous = sampler.stop()
        let jobs = try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") ?? 0 }
        guard jobs > 0 else { throw BenchError.verification("the SQLite rebuild produced no jobs") }
        return Outcome(
            figures: [
                Figure(
                    id: "sqlite-rebuild",
                    workload: "SQLite rebuild of the job table, \(ReportTable.grouped(events)) events (durable commit)",
                    value: Double(events) / max(seconds, 1e-9), unit: "events/s", baselineID: "log-scan"),
                peakFigure("sqlite-rebuild-rss", "SQLite rebuild: peak RSS (VmHWM)"),
            ],
            notes: [memoryNote("sqlite-rebuild", anonymousPeak: anonymous) + ", \(ReportTable.grouped(jobs)) job rows; \(used)"])
    }

    // MARK: Listing

    /// A listed SQLite row, decoded into owned values as the ledger decodes its jobs.
    private struct ListedRow {
        var id: String
        var version: Int64
        var state: String
        var type: String
        var organisation: String
        var owner: String
        var priority: Int
        var submittedAt: Int64
        var attempt: Int
        var worker: String?
        var leaseUntil: String?
        var payload: String

        init(_ row: Row) {
            id = row[0]
            version = row[1]
            state = row[2]
            type = row[3]
            organisation = row[4]
            owner = row[5]
            priority = row[6]
            submittedAt = row[7]
            attempt = row[8]
            worker = row[9]
            leaseUntil = row[10]
            payload = row[11]
        }
    }

    /// Opens the data, times the first page once (the first read after
    /// opening) and then `repeats` more times.
    private static func list(_ task: ChildTask, _ path: String, repeats: Int) throws -> Outcome {
        let page: () throws -> Int
        let id: String
        let system: String
        var keepAlive: [AnyObject] = []
        switch task {
        case .listLedger:
            let ledger = try JobLedger(path: path)
            keepAlive.append(ledger)
            let query = JobQuery(state: .pending, organisation: listOrganisation)
            page = {
                let jobs = try ledger.list(query, limit: listLimit).jobs
                guard jobs.allSatisfy({ $0.organisation == listOrganisation && $0.state == .pending }) else {
                    throw BenchError.verification("the listing returned a job that does not match")
                }
                return jobs.count
            }
            (id, system) = ("list", "JobLedger")
        case .listSQLite:
            let reader = try SQLiteDatabase.openQueue(path)
            keepAlive.append(reader)
            page = {
                try reader.read { db in
                    let statement = try db.cachedStatement(sql: """
                        SELECT id, version, state, type, organisation, owner, priority, submitted_at, attempt, worker,
                               lease_until, payload
                        FROM jobs WHERE organisation = ? AND state = 'pending' ORDER BY submitted_at, id LIMIT ?
                        """)
                    let rows = try Row.fetchAll(statement, arguments: [listOrganisation, listLimit]).map(ListedRow.init)
                    return rows.count
                }
            }
            (id, system) = ("sqlite-list", "SQLite")
        default:
            var options = EnvironmentOptions()
            options.readOnly = true
            options.mapSize = 1 << 34
            let environment = try Environment(path: path, options: options)
            keepAlive.append(environment)
            let index = try environment.openDatabase("byOrgState", flags: [])
            let records = try environment.openDatabase("jobs", flags: [])
            let prefix = RawListKey.prefix(organisation: listOrganisation)
            page = {
                try environment.read { txn in
                    var values: [[UInt8]] = []
                    try txn.withCursor(on: index) { cursor in
                        var entry = try prefix.withUnsafeBytes { try cursor.seek(atLeast: $0) }
                        while let current = entry, values.count < listLimit, current.key.starts(with: prefix) {
                            let jobID = Array(current.key[(prefix.count + 8)...])
                            if let value = try txn.get(jobID, in: records) { values.append(value) }
                            entry = try cursor.next()
                        }
                    }
                    return values.count
                }
            }
            (id, system) = ("raw-list", "raw LMDB")
        }

        let first = Stopwatch()
        let count = try page()
        let firstSeconds = first.elapsedSeconds
        guard count == listLimit else {
            throw BenchError.verification("\(system) listed \(count) jobs, expected \(listLimit)")
        }
        var times: [Double] = []
        for _ in 0..<repeats {
            let stopwatch = Stopwatch()
            _ = try page()
            times.append(stopwatch.elapsedSeconds)
        }
        times.sort()
        let median = times.isEmpty ? firstSeconds : times[times.count / 2]
        let p99 = times.isEmpty ? firstSeconds : times[min(times.count - 1, Int(Double(times.count) * 0.99))]
        withExtendedLifetime(keepAlive) {}
        let workload = "\(system): first \(listLimit) pending jobs of \(listOrganisation)"
        return Outcome(
            figures: [
                Figure(
                    id: id, workload: "\(workload), median of \(repeats)", value: median * 1000, unit: "ms",
                    baselineID: id == "list" ? "sqlite-list" : nil,
                    target: id == "list" ? Target(subject: .value, comparison: .below, threshold: 5) : nil),
                Figure(id: id + "-first", workload: "\(workload), first call after opening", value: firstSeconds * 1000, unit: "ms"),
                Figure(id: id + "-p99", workload: "\(workload), p99 of \(repeats)", value: p99 * 1000, unit: "ms"),
                peakFigure(id + "-rss", "\(system) list: peak RSS (VmHWM)"),
            ])
    }
}
