import ArgumentParser
import EventStore
import Foundation
import JobLedger

/// `jobledger schedule`: recurring jobs. `sweep` (and every running
/// server, each second) submits the job of each occurrence that came due.
struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recurring jobs: set, list and remove schedules.",
        discussion: """
            A schedule submits one job of its type at its start and every period after it, owned by the \
            admin (or system) who set it. The job of an occurrence has the id NAME.yyyyMMddTHHmmssZ, so \
            however many servers or `jobledger sweep` runs fire at once, each occurrence is one job. \
            Occurrences missed while nothing fired are not made up: the last one due is submitted.
            """,
        subcommands: [ScheduleSet.self, ScheduleList.self, ScheduleRemove.self])
}

/// Prints schedules as `schedule list` does.
private func printSchedules(_ schedules: [RecurringSchedule], json: Bool) {
    if json {
        Output.printJSON(["schedules": schedules.map(scheduleJSON)])
        return
    }
    if schedules.isEmpty { print("no schedules") }
    for schedule in schedules {
        print(TerminalText.escaped(
            "\(schedule.name)  \(schedule.type) every \(schedule.everySeconds) s from \(UTCTimestamp.text(schedule.start)), "
                + "owned by \(schedule.owner)@\(schedule.organisation)"))
    }
}

private func scheduleJSON(_ schedule: RecurringSchedule) -> [String: Any] {
    [
        "name": schedule.name, "type": schedule.type, "payload": schedule.payload, "every": schedule.everySeconds,
        "start": UTCTimestamp.text(schedule.start), "priority": schedule.priority, "maxAttempts": schedule.maxAttempts,
        "owner": schedule.owner, "org": schedule.organisation,
    ]
}

struct ScheduleSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Create or replace a recurring schedule (admins and the system).",
        discussion: "Example: jobledger schedule set nightly-report --type report --every 1d --start 2026-12-02T02:00:00Z --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The schedule's name (the characters of a job id, at most 100 bytes).") var name: String
    @Option(help: "The type of the jobs it submits.") var type: String
    @Option(help: "The period: seconds, or 90s, 15m, 12h, 1d.") var every: String
    @Option(help: "The first occurrence, ISO-8601 (default: now).") var start: String?
    @Option(help: "The jobs' input, JSON.") var payload: String = "{}"
    @Option(help: "The jobs' priority.") var priority: Int = 0
    @Option(name: .customLong("max-attempts"), help: "The jobs' attempts.") var maxAttempts: Int = 3
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            guard let seconds = parseDuration(every), seconds <= Double(RecurringSchedule.maxEverySeconds) else {
                throw CLIError.badInput(
                    "--every: '\(every)' is not a period such as 3600, 90s, 15m, 12h or 1d of at most 366 days")
            }
            let first = try start.map { text -> Date in
                guard let date = UTCTimestamp.date(from: text) else {
                    throw CLIError.badInput("--start: '\(text)' is not an ISO-8601 time such as 2026-12-02T02:00:00Z")
                }
                return date
            } ?? Date()
            let jobs = try ledger.open(creating: true)
            let schedule = try jobs.setSchedule(
                RecurringSchedule(
                    name: name, type: type, payload: payload, everySeconds: Int(seconds), start: first, priority: priority,
                    maxAttempts: maxAttempts),
                by: actor.value)
            printSchedules([schedule], json: ledger.json)
        }
    }
}

struct ScheduleList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every recurring schedule in force.", discussion: "Example: jobledger schedule list --json")

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try runReportingErrors {
            printSchedules(try ledger.openForReading().schedules(), json: ledger.json)
        }
    }
}

struct ScheduleRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a recurring schedule (admins and the system); the jobs it submitted stay.",
        discussion: "Example: jobledger schedule remove nightly-report --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The schedule's name.") var name: String
    @Option(help: "Why.") var reason: String?
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            let removed = try ledger.open(creating: false).removeSchedule(name, by: actor.value, reason: reason)
            if ledger.json { Output.printJSON(["name": name, "removed": removed]) } else {
                print(removed ? "removed \(TerminalText.escaped(name))" : "no schedule \(TerminalText.escaped(name))")
            }
            if !removed { throw ExitCode(4) }
        }
    }
}
