import Foundation

/// Comparison workloads 5 and 6 and the projection, report and export
/// figures: the parent fills the data (not timed), closes it, and runs each
/// measurement in a child process of its own (see ``ChildTask``).
enum LogAndListWorkloads {
    /// The job log: a raw scan, forEachEvent, export, report, rebuild, and
    /// the SQLite rebuild of the same events.
    static func runLog(
        counts: BenchCounts, scratch: ScratchDirectory, mode: SQLiteConnections, quick: Bool
    ) async throws -> BenchReport {
        var report = BenchReport(machine: .current(directory: scratch.path), counts: counts)
        let ledgerPath = scratch.directory(for: "job-log")
        let sqlitePath = scratch.directory(for: "job-log.sqlite")
        Progress.note(
            "log: filling a job log of \(counts.logEvents) events through JobLedger (no fsync, \(counts.builders) threads) "
                + "and copying it to SQLite")
        let contents = try await DedicatedThread.run("jobledger-bench.log-fill") {
            try LedgerBuilder.buildLog(
                at: ledgerPath, events: counts.logEvents, threads: counts.builders, sqlitePath: sqlitePath)
        }
        report.notes.append(String(
            format: "log: the job log (%@ jobs, %@ events: submitted, claimed and completed jobs, their audit entries) "
                + "took %.1f s to fill through JobLedger without fsync, %.0f commands/s",
            ReportTable.grouped(contents.jobs), ReportTable.grouped(contents.events), contents.seconds,
            Double(contents.events / 2) / max(contents.seconds, 1e-9)))
        for task: ChildTask in [.logScan, .logRead, .export, .exportChecksums, .report] {
            report.merge(try await ChildProcess.run(task, target: ledgerPath, mode: mode, quick: quick))
        }
        // The two rebuilds alternate, so that a slow spell of the shared
        // disk or CPU falls on both sides alike.
        var ledgerRounds: [BenchReport] = []
        var sqliteRounds: [BenchReport] = []
        for round in 0..<max(1, counts.rebuildRounds) {
            let ledgerFirst = round % 2 == 0
            for ledgerTurn in ledgerFirst ? [true, false] : [false, true] {
                if ledgerTurn {
                    ledgerRounds.append(try await ChildProcess.run(.rebuild, target: ledgerPath, mode: mode, quick: quick))
                } else {
                    sqliteRounds.append(
                        try await ChildProcess.run(.sqliteRebuild, target: sqlitePath, mode: mode, quick: quick))
                }
            }
        }
        report.merge(BenchReport.combiningRounds(ledgerRounds))
        report.merge(BenchReport.combiningRounds(sqliteRounds))
        return report
    }

    /// The list ledger of many pending jobs, its SQLite and raw LMDB
    /// equivalents, and the first page of one organisation's pending jobs
    /// from each.
    static func runList(
        counts: BenchCounts, scratch: ScratchDirectory, mode: SQLiteConnections, quick: Bool
    ) async throws -> BenchReport {
        var report = BenchReport(machine: .current(directory: scratch.path), counts: counts)
        let ledgerPath = scratch.directory(for: "list-ledger")
        let sqlitePath = scratch.directory(for: "list.sqlite")
        let rawPath = scratch.directory(for: "list-raw")
        Progress.note("list: submitting \(counts.listJobs) jobs through JobLedger (no fsync, \(counts.builders) threads)")
        let (seconds, jobBytes) = try await DedicatedThread.run("jobledger-bench.list-fill") {
            try LedgerBuilder.buildList(at: ledgerPath, jobs: counts.listJobs, threads: counts.builders)
        }
        report.notes.append(String(
            format: "list: submitting %@ jobs through JobLedger without fsync took %.1f s (%.0f jobs/s); "
                + "a stored job is about %d bytes of JSON",
            ReportTable.grouped(counts.listJobs), seconds, Double(counts.listJobs) / max(seconds, 1e-9), jobBytes))
        Progress.note("list: filling SQLite and raw LMDB with \(counts.listJobs) jobs")
        try await DedicatedThread.run("jobledger-bench.list-fill-baselines") {
            try LedgerBuilder.buildListSQLite(at: sqlitePath, jobs: counts.listJobs)
            try LedgerBuilder.buildListRaw(at: rawPath, jobs: counts.listJobs, jobBytes: jobBytes)
        }
        report.merge(try await ChildProcess.run(.listLedger, target: ledgerPath, mode: mode, quick: quick))
        report.merge(try await ChildProcess.run(.listSQLite, target: sqlitePath, mode: mode, quick: quick))
        report.merge(try await ChildProcess.run(.listRaw, target: rawPath, mode: mode, quick: quick))
        return report
    }
}
