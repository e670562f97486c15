import ArgumentParser
import Foundation
import JobLedger
import Synchronization

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an end-to-end demo on a fresh ledger and print what happened.",
        discussion: """
            Creates a ledger in a new directory, runs four workers over a few hundred jobs with \
            retries, a cancel that races completion, a refused cancel and a batch kill, then \
            prints the report, one job's history and where the ledger is.
            Example: jobledger demo --jobs 300
            """)

    /// The most jobs a demo runs.
    static let maxJobs = 100_000

    @Option(help: "Directory for the demo ledger, which must not hold one yet (default: a new temporary directory).")
    var dir: String?
    @Option(parsing: .unconditional, help: "How many jobs to run, 1 to 100000.") var jobs: Int = 300

    func run() async throws {
        try runReportingErrors {
            guard (1...Self.maxJobs).contains(jobs) else {
                throw CLIError.badInput("--jobs must be 1 to \(Self.maxJobs), got \(jobs)")
            }
            // A second demo on the same ledger would find its jobs done and
            // wait for ever for a race that cannot start again.
            if let dir, FileManager.default.fileExists(atPath: dir + "/ledger") {
                throw CLIError.badInput("'\(dir)/ledger' exists: the demo needs a directory without a ledger")
            }
        }
        let directory = dir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("jobledger-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/ledger"
        var options = JobLedgerOptions()
        options.retryPolicy = RetryPolicy(baseDelay: 0.02, maxDelay: 0.2)
        let ledger = try JobLedger(path: path, options: options)
        let started = Date()

        let orgs = ["acme", "globex", "initech"]
        let types = ["email", "report", "resize"]
        // Submissions from many clients at once share commits (group commit).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<jobs {
                group.addTask {
                    let org = orgs[index % orgs.count]
                    let flavour = index % 10 == 3 ? "flaky" : index % 25 == 7 ? "broken" : "plain"
                    let nightly = index % 6 == 5
                    _ = try await ledger.submit(
                        JobSubmission(
                            id: "job-\(index)", type: types[index % types.count], payload: #"{"kind":"\#(flavour)"}"#,
                            priority: nightly ? -1 : index % 4 == 0 ? 1 : 0, maxAttempts: 3,
                            batch: nightly ? "nightly" : nil),
                        by: Actor(id: "user-\(index % 7)", role: .user, organisation: org))
                }
            }
            try await group.waitForAll()
        }
        _ = try await ledger.submit(JobSubmission(id: "raced", type: "report", priority: 9), by: Actor(id: "ann", role: .user, organisation: "acme"))
        print("submitted \(jobs + 1) jobs to \(path)")

        // Owners cancel a few jobs that are still waiting.
        for index in stride(from: jobs - 1, to: max(0, jobs - 60), by: -7) where index % 6 != 5 {
            let owner = Actor(id: "user-\(index % 7)", role: .user, organisation: orgs[index % orgs.count])
            _ = try await ledger.cancel("job-\(index)", by: owner, reason: "submitted by mistake")
        }

        let raceStarted = Mutex(false)
        let workers = (0..<4).map { number in
            Worker(ledger: ledger, id: "worker-\(number)", concurrency: 4, lease: 5, renewInterval: 0.5, idleWait: .milliseconds(20)) { context in
                if context.job.id == "raced" {
                    raceStarted.withLock { $0 = true }
                    try await Task.sleep(for: .milliseconds(60))
                    return #"{"rows":42}"#
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...4)))
                try context.checkCancellation()
                if context.job.payload.contains("flaky") && context.attempt == 1 { throw DemoError.transient }
                if context.job.payload.contains("broken") { throw PermanentJobFailure("malformed input") }
                return #"{"ok":true}"#
            }
        }
        let admin = Actor(id: "ops", role: .admin, organisation: "initech")
        let run = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { await worker.runUntilIdle() } }
            }
        }

        // A cancel racing completion: it answers cancel_requested or already_completed, never not_found.
        while !raceStarted.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
        try await Task.sleep(for: .milliseconds(Int.random(in: 20...40)))
        let raced = try await ledger.cancel("raced", by: Actor(id: "ann", role: .user, organisation: "acme"), reason: "no longer needed")
        print("cancel racing completion of 'raced': \(raced.outcome.rawValue)")

        // A refused cancel: someone from another organisation.
        let refused = try await ledger.cancel("job-0", by: Actor(id: "mallory", role: .admin, organisation: "globex"), reason: "prank")
        print("cancel of job-0 by an admin of another organisation: \(refused.outcome.rawValue)")

        // A batch kill while workers are busy.
        let killed = try await ledger.killBatch("nightly", by: admin, reason: "maintenance window")
        let summary = Dictionary(grouping: killed, by: \.outcome.rawValue).mapValues(\.count)
        print("kill-batch nightly: " + summary.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))

        await run.value
        // Retries become claimable after their backoff: run again until nothing is pending.
        for _ in 0..<50 {
            if try ledger.list(JobQuery(state: .pending), limit: 1).jobs.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
            await withTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { await worker.runUntilIdle() } }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        let last = try ledger.store.lastPosition()
        print(String(format: "all workers idle after %.2f s; %llu events in the log", elapsed, last))
        print("projections verified against a replay: \(try ledger.verifyProjections().isEmpty ? "match" : "DIFFER")\n")

        let report = try ledger.report()
        for table in report.tables.prefix(8) { print(table.renderText() + "\n") }
        let history = try ledger.history("raced")
        print(ReportTable(
            title: "History of job 'raced'", columns: ["pos", "event", "actor", "state", "detail"],
            rows: history.map { entry in
                [
                    "\(entry.position)", entry.stream == "job" ? entry.type : "audit", entry.actor,
                    entry.stream == "job" ? "\(entry.stateBefore?.rawValue ?? "-") -> \(entry.stateAfter?.rawValue ?? "-")" : "",
                    entry.audit.map { "\($0.action): \($0.outcome.rawValue)" } ?? "",
                ]
            }).renderText())
        print("\nthe ledger is at \(path)")
        print("try: jobledger history raced --db \(path)")
        print("or serve it over HTTP (with jobledger-server built beside jobledger; see Docs/HTTP.md):")
        print("  jobledger token create --db \(path) --actor ann --role user --org acme")
        print("  jobledger serve --db \(path) --listen 127.0.0.1:8080")
    }
}

enum DemoError: Error { case transient }
