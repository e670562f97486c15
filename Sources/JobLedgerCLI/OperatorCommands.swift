import ArgumentParser
import Foundation
import JobLedger

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a job; an id that exists answers the existing job.",
        discussion: #"""
            Example: jobledger submit --id job-1 --type email --owner alice --org acme --payload '{"to":"bob"}'
            Later:   jobledger submit --type report --owner alice --org acme --delay 3600 --timeout 300 --after job-1
            Unique:  jobledger submit --type report --owner alice --org acme --unique report-2026-12 --unique-for 3600
            Personal: jobledger submit --type email --owner alice --org acme --payload '{"to":"bob@example.com","n":1}' --personal to
            """#)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "Job id (default: generated).") var id: String?
    @Option(help: "Job type.") var type: String
    @Option(help: "Owner (a user id).") var owner: String
    @Option(help: "Owner's organisation.") var org: String
    @Option(help: "Batch id.") var batch: String?
    @Option(help: "Input as JSON.") var payload: String = "{}"
    @Option(parsing: .unconditional, help: "Higher runs first; \(JobLimits.priority.lowerBound) to \(JobLimits.priority.upperBound).")
    var priority: Int = 0
    @Option(parsing: .unconditional, help: "Attempts before the job fails for good; \(JobLimits.maxAttempts.lowerBound) to \(JobLimits.maxAttempts.upperBound).")
    var maxAttempts: Int = 3
    @Option(help: "Run no earlier than this time (ISO-8601); not with --delay.") var at: String?
    @Option(parsing: .unconditional, help: "Run no earlier than this many seconds from now; not with --at.") var delay: Double?
    @Option(parsing: .unconditional, help: "Longest run of an attempt in seconds, lease renewals or not; then it fails as a timeout.")
    var timeout: Double?
    @Option(help: "Run only after this job completes (repeat for several); if it ends otherwise, this job is cancelled.")
    var after: [String] = []
    @Option(help: "A label to find the job by with list --tag (repeat for several).")
    var tag: [String] = []
    @Option(help: ArgumentHelp(
        "Top-level payload fields holding personal data, comma-separated: stored sealed under the owner's key, "
            + "read as {\"$erased\":true} after `jobledger erase`.", valueName: "fields"))
    var personal: String?
    @Option(help: ArgumentHelp(
        "A key no other job of the same organisation and type may hold within --unique-for: a submission whose key is "
            + "held creates nothing and answers 'duplicate' with the job that holds it.", valueName: "key"))
    var unique: String?
    @Option(
        name: .customLong("unique-for"), parsing: .unconditional,
        help: ArgumentHelp("The window of --unique in seconds, from the holder's submission (default 3600).", valueName: "seconds"))
    var uniqueFor: Double?

    func validate() throws {
        if uniqueFor != nil && unique == nil { throw ValidationError("--unique-for needs --unique") }
    }

    func run() throws {
        try runReportingErrors {
            var submission = JobSubmission(
                id: id, type: type, payload: payload, priority: priority, maxAttempts: maxAttempts, batch: batch,
                runAt: try at.map { try parseTime($0, option: "--at") }, delay: delay, timeout: timeout, after: after, tags: tag,
                personal: personal.map(Self.fieldNames) ?? [])
            submission.unique = unique.map { UniqueKey(key: $0, window: uniqueFor ?? Self.defaultUniqueWindow) }
            // Checked before the ledger is opened, which may create it.
            try JobLedger.checkNumbers(of: submission)
            let jobs = try ledger.open(creating: true)
            let result = try jobs.submit(submission, by: Actor(id: owner, role: .user, organisation: org))
            if ledger.json {
                Output.printJSON(JobJSON.submit(result))
            } else {
                print(result.outcome == .existing ? "exists" : result.outcome.rawValue)
                print(Output.jobDetail(result.job))
            }
        }
    }
}

extension Submit {
    /// The window of `--unique` without `--unique-for`: an hour.
    static let defaultUniqueWindow: TimeInterval = 3600

    /// `email, name` as `["email", "name"]`; an empty name stays, for the
    /// ledger to refuse by name.
    static func fieldNames(_ list: String) -> [String] {
        list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// Prints an outcome and fails with its exit code when it is a refusal.
func finishAction(_ result: ActionResult, id: String, json: Bool) throws {
    if json {
        Output.printJSON(JobJSON.action(result))
    } else {
        print(result.outcome.rawValue)
        if let job = result.job { print(Output.jobDetail(job)) }
    }
    switch result.outcome {
    case .notFound, .forbidden, .notAllowed: throw CLIError.outcome(result.outcome, id)
    default: break
    }
}

/// The ledger, job and actor of a command that acts on one job, and the
/// running of it: every such command opens the ledger the same way and
/// prints its outcome the same way.
struct JobActionArguments: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job id.") var id: String
    @OptionGroup var actor: ActorOptions

    /// Opens the ledger, runs `action` on the job for the actor and prints
    /// its outcome, failing with the outcome's exit code on a refusal.
    func run(_ action: (JobLedger, String, Actor) throws -> ActionResult) throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            try finishAction(try action(jobs, id, actor.value), id: id, json: ledger.json)
        }
    }
}

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cancel a job (owner, or an admin of its organisation).",
        discussion: "Example: jobledger cancel job-1 --actor root --role admin --org acme --reason hung")

    @OptionGroup var job: JobActionArguments
    @Option(help: "Why.") var reason: String

    func run() throws {
        try job.run { jobs, id, actor in try jobs.cancel(id, by: actor, reason: reason) }
    }
}

struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Kill a job (admins of its organisation).",
        discussion: "Example: jobledger kill job-1 --actor root --role admin --org acme --reason runaway")

    @OptionGroup var job: JobActionArguments
    @Option(help: "Why.") var reason: String

    func run() throws {
        try job.run { jobs, id, actor in try jobs.kill(id, by: actor, reason: reason) }
    }
}

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a failed, cancelled or killed job back to pending.",
        discussion: "Example: jobledger retry job-1 --actor alice --org acme")

    @OptionGroup var job: JobActionArguments

    func run() throws {
        try job.run { jobs, id, actor in try jobs.retry(id, by: actor) }
    }
}

struct KillBatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill-batch",
        abstract: "Kill every unfinished job of a batch in one atomic append.",
        discussion: """
            Prints each job's outcome. Exits 0 when the outcomes are mixed or every job was killed or had \
            already finished, 5 when the actor was forbidden every job, 4 when the batch has no jobs.
            Example: jobledger kill-batch nightly --actor root --role admin --org acme --reason stuck
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Batch id.") var batch: String
    @OptionGroup var actor: ActorOptions
    @Option(help: "Why.") var reason: String

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let results = try jobs.killBatch(batch, by: actor.value, reason: reason)
            if ledger.json {
                Output.printJSON(JobJSON.batchKill(results))
            } else {
                print(ReportTable(title: "Batch \(batch)", columns: ["job", "outcome"],
                                  rows: results.map { [$0.jobID, $0.outcome.rawValue] }).renderText())
            }
            if results.isEmpty { throw CLIError.noSuchBatch(batch) }
            if results.allSatisfy({ $0.outcome == .forbidden }) { throw CLIError.batchForbidden(batch, jobs: results.count) }
        }
    }
}

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Expire leases that ran out and time out attempts past their job's timeout: jobs go back to pending, fail, or end cancelled; then resolve jobs whose dependencies ended, enqueue the follow-ups of batches that ended, and submit the jobs of recurring schedules that came due.",
        discussion: "Example: jobledger sweep --json")

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let expired = try jobs.expireLeases()
            try jobs.resolveDependencies()
            let followUps = try jobs.enqueueBatchFollowUps()
            let fired = try jobs.fireDueSchedules()
            if ledger.json { Output.printJSON(["expired": expired, "fired": fired, "followUps": followUps]) } else {
                print(expired.isEmpty ? "no lease expired" : "expired: " + expired.joined(separator: ", "))
                if !followUps.isEmpty { print("follow-ups enqueued: " + followUps.map { TerminalText.escaped($0) }.joined(separator: ", ")) }
                if !fired.isEmpty { print("submitted by schedules: " + fired.map { TerminalText.escaped($0) }.joined(separator: ", ")) }
            }
        }
    }
}
