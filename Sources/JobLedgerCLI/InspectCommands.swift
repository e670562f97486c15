import ArgumentParser
import EventStore
import Foundation
import JobLedger

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a job, now or as of a log position or time.",
        discussion: "Example: jobledger status job-1 --as-of 2026-11-23T12:00:00Z")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job id.") var id: String
    @Option(name: .customLong("as-of"), help: "A log position or an ISO-8601 time.") var asOf: String?

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            let job: Job?
            if let asOf {
                if let position = UInt64(asOf) {
                    job = try jobs.job(id, asOfPosition: position)
                } else {
                    job = try jobs.job(id, asOf: try parseTime(asOf, option: "--as-of"))
                }
            } else {
                job = try jobs.job(id)
            }
            guard let job else { throw JobLedgerError.notFound(jobID: id) }
            if ledger.json { Output.printJSON(Output.job(job)) } else { print(Output.jobDetail(job)) }
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List jobs through the indexes, a page at a time.",
        discussion: "Example: jobledger list --state pending --org acme --limit 50")

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "pending, running, cancelRequested, completed, failed, cancelled or killed.") var state: JobState?
    @Option(help: "Job type.") var type: String?
    @Option(help: "Owner.") var owner: String?
    @Option(help: "Organisation.") var org: String?
    @Option(help: "Batch.") var batch: String?
    @Option(help: "Submitted at or after (ISO-8601).") var since: String?
    @Option(help: "Submitted before (ISO-8601).") var until: String?
    @Option(help: "Only jobs carrying this tag.") var tag: String?
    @Flag(help: "Only jobs scheduled to run later that are not due yet.") var scheduled = false
    @Flag(help: "Leave out jobs scheduled to run later that are not due yet.") var notScheduled = false
    @Option(parsing: .unconditional, help: "Page size, 1 to \(JobLimits.maxPageSize).") var limit: Int = 50
    @Option(help: "Cursor from the previous page's `next` of the same listing; anything else is refused (exit 2).") var after: String?

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            let query = JobQuery(
                state: state, type: type, owner: owner, organisation: org, batch: batch,
                submittedFrom: try since.map { try parseTime($0, option: "--since") },
                submittedBefore: try until.map { try parseTime($0, option: "--until") },
                scheduled: try scheduledFilter(), tag: tag)
            let page = try jobs.list(query, limit: limit, after: after)
            if ledger.json {
                Output.printJSON(JobJSON.page(page))
            } else {
                print(Output.jobTable(page.jobs, now: jobs.options.clock()))
                if let next = page.next { print("more: --after \(next)") }
            }
        }
    }

    private func scheduledFilter() throws -> Bool? {
        if scheduled && notScheduled { throw CLIError.badInput("--scheduled and --not-scheduled: give one of them") }
        return scheduled ? true : (notScheduled ? false : nil)
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show everything that happened to a job, with states and audit entries.",
        discussion: "Example: jobledger history job-1 [--archive /srv/archive/jobs-2026-12.jsonl]")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job id.") var id: String
    @Option(help: "An archive written by scavenge, whose events of the job are shown in their places (repeatable).")
    var archive: [String] = []

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            var archives: [ImportBatch] = []
            for path in archive { archives.append(try JobLedger.readArchive(at: path)) }
            let entries = try jobs.history(id, archives: archives)
            if ledger.json {
                Output.printJSON(JobJSON.history(id, entries))
            } else {
                print(ReportTable(
                    title: "History of job \(id)",
                    columns: ["pos", "ver", "time", "+s", "actor", "event", "state", "detail"],
                    rows: entries.map { entry in
                        let states = entry.stream == "job"
                            ? "\(entry.stateBefore?.rawValue ?? "-") -> \(entry.stateAfter?.rawValue ?? "-")" : ""
                        let detail = entry.audit.map { "\($0.action): \($0.outcome.rawValue)\($0.reason.map { " (\($0))" } ?? "")" }
                            ?? entry.data
                        return ["\(entry.position)", "\(entry.version)", Output.time(entry.recordedAt) as? String ?? "",
                                entry.sincePrevious.map { String(format: "%.3f", $0) } ?? "", entry.actor,
                                entry.stream == "job" ? entry.type : "audit", states, detail]
                    }).renderText())
            }
        }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counts, waits, run times, cancellations, failures, stuck jobs and throughput.",
        discussion: "Example: jobledger report --since 2026-11-01T00:00:00Z --format csv")

    enum Format: String, ExpressibleByArgument { case table, csv, json }

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "Jobs submitted at or after (ISO-8601).") var since: String?
    @Option(help: "Jobs submitted before (ISO-8601).") var until: String?
    @Option(help: "table, csv or json (--json also gives json); CSV cells a spreadsheet would run as formulas get a leading '.")
    var format: Format = .table

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            let report = try jobs.report(
                from: try since.map { try parseTime($0, option: "--since") },
                to: try until.map { try parseTime($0, option: "--until") })
            switch ledger.json ? .json : format {
            case .json: print(try report.jsonText())
            case .csv: print(report.tables.map { "# \($0.title)\n" + $0.renderCSV() }.joined(separator: "\n"), terminator: "")
            case .table: print(report.tables.map { $0.renderText() }.joined(separator: "\n\n"))
            }
        }
    }
}

struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the projections from the log, or verify them against a replay.",
        discussion: "Example: jobledger rebuild --verify")

    @OptionGroup var ledger: LedgerOptions
    @Flag(help: "Only compare the live projections with a replay; change nothing.") var verify = false

    func run() throws {
        try runReportingErrors {
            // Verifying replays into a temporary environment of its own and reads the ledger only.
            let jobs = verify ? try ledger.openForReading() : try ledger.open(creating: false)
            if verify {
                let mismatches = try jobs.verifyProjections()
                if ledger.json {
                    Output.printJSON(["differences": mismatches.map {
                        ["job": $0.jobID, "field": $0.field, "live": $0.live.orNull, "replayed": $0.replayed.orNull] as [String: Any]
                    }])
                } else {
                    print(mismatches.isEmpty
                        ? "projections match the log"
                        : mismatches.map { TerminalText.escaped($0.description) }.joined(separator: "\n"))
                }
                if !mismatches.isEmpty { throw ExitCode(1) }
            } else {
                let report = try jobs.rebuildProjections()
                if ledger.json { Output.printJSON(["events": report.events, "entries": report.entries]) } else {
                    print("rebuilt from \(report.events) events: \(report.entries) projection entries")
                }
            }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk the log and check every event's checksum, position and version.",
        discussion: "Example: jobledger verify --json [--archive /srv/archive/jobs-2026-12.jsonl]")

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "Also prove an archive written by scavenge against the ledger's record of it (repeatable).")
    var archive: [String] = []

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            // An archive that does not prove out is refused (exit 2) before the walk.
            var checks: [(String, ArchiveCheck)] = []
            for path in archive { checks.append((path, try jobs.verifyArchive(JobLedger.readArchive(at: path)))) }
            for (path, check) in checks where !ledger.json {
                let live = check.liveEvents > 0 ? " (\(check.liveEvents) more still live)" : ""
                print("archive \(TerminalText.escaped(path)): \(check.archivedEvents) events archived\(live) of \(check.jobs) jobs in \(check.parts) parts, digest \(check.digest), last recorded at position \(check.recordPosition)")
            }
            let report = try jobs.store.verifyLog()
            if ledger.json {
                var json: [String: Any] = [
                    "events": report.events,
                    "problems": report.problems.map { ["position": $0.position, "reason": $0.reason] as [String: Any] },
                ]
                if !checks.isEmpty {
                    json["archives"] = checks.map { path, check in
                        ["path": path, "archivedEvents": check.archivedEvents, "liveEvents": check.liveEvents,
                         "jobs": check.jobs, "parts": check.parts, "digest": check.digest,
                         "position": check.recordPosition] as [String: Any]
                    }
                }
                Output.printJSON(json)
            } else {
                print(report.isClean
                    ? "\(report.events) events checked: all sound"
                    : report.problems.map { TerminalText.escaped($0.description) }.joined(separator: "\n"))
            }
            if !report.isClean { throw ExitCode(1) }
        }
    }
}
