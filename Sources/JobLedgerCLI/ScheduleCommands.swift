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
            A schedule submits one job of its type at its start and every period after it, or at each \
            minute a cron expression matches in a time zone, owned by the admin (or system) who set it. The job of an occurrence has the id NAME.yyyyMMddTHHmmssZ, so \
            however many servers or `jobledger sweep` runs fire at once, each occurrence is one job. \
            Occurrences missed while nothing fired follow the schedule's --missed: latest (the default) \
            submits the last one due, skip only one within a short grace of its time, each every one.
            """,
        subcommands: [ScheduleSet.self, ScheduleList.self, SchedulePause.self, ScheduleResume.self, ScheduleRemove.self])
}

/// Prints schedules as `schedule list` does, each with its next
/// occurrence after `now`.
private func printSchedules(_ schedules: [RecurringSchedule], json: Bool, now: Date = Date()) {
    if json {
        Output.printJSON(["schedules": schedules.map { scheduleJSON($0, now: now) }])
        return
    }
    if schedules.isEmpty { print("no schedules") }
    for schedule in schedules {
        let when =
            schedule.cron.map { "cron '\($0)' in \(schedule.timeZone ?? "UTC")" } ?? "every \(schedule.everySeconds) s"
        let next = schedule.nextOccurrence(after: now).map { UTCTimestamp.text($0) } ?? "none"
        print(TerminalText.escaped(
            "\(schedule.name)  \(schedule.type) \(when) from \(UTCTimestamp.text(schedule.start)), next \(next), "
                + "owned by \(schedule.owner)@\(schedule.organisation), missed: \(schedule.missed.rawValue)"
                + (schedule.paused ? ", paused" : "")))
    }
}

private func scheduleJSON(_ schedule: RecurringSchedule, now: Date) -> [String: Any] {
    var json: [String: Any] = [
        "name": schedule.name, "type": schedule.type, "payload": schedule.payload,
        "start": UTCTimestamp.text(schedule.start), "priority": schedule.priority, "maxAttempts": schedule.maxAttempts,
        "owner": schedule.owner, "org": schedule.organisation, "paused": schedule.paused, "missed": schedule.missed.rawValue,
        "next": schedule.nextOccurrence(after: now).map { UTCTimestamp.text($0) as Any } ?? NSNull(),
    ]
    if let cron = schedule.cron {
        json["cron"] = cron
        json["timeZone"] = schedule.timeZone ?? "UTC"
    } else {
        json["every"] = schedule.everySeconds
    }
    return json
}

struct ScheduleSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Create or replace a recurring schedule (admins and the system).",
        discussion: """
            Examples: jobledger schedule set nightly-report --type report --every 1d --start 2026-12-02T02:00:00Z \
            --actor root --role admin --org acme
            jobledger schedule set weekday-digest --type mail --cron "30 7 * * MON-FRI" --zone Europe/Paris \
            --actor root --role admin --org acme
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The schedule's name (the characters of a job id, at most 100 bytes).") var name: String
    @Option(help: "The type of the jobs it submits.") var type: String
    @Option(help: "The period: seconds, or 90s, 15m, 12h, 1d (or give --cron).") var every: String?
    @Option(help: "A five-field cron expression, such as \"*/15 * * * *\" or @daily (or give --every).") var cron: String?
    @Option(help: "The IANA time zone --cron is read in, such as Europe/Paris (default: UTC).") var zone: String?
    @Option(help: "The first occurrence (with --cron: the earliest), ISO-8601 (default: the next whole second).")
    var start: String?
    @Option(help: "The jobs' input, JSON.") var payload: String = "{}"
    @Option(help: "The jobs' priority.") var priority: Int = 0
    @Option(name: .customLong("max-attempts"), help: "The jobs' attempts.") var maxAttempts: Int = 3
    @Option(help: "Occurrences missed while nothing fired: latest (submit the last one due), skip, or each.")
    var missed: RecurringSchedule.MissedOccurrences = .latest
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            guard (every == nil) != (cron == nil) else {
                throw CLIError.badInput("give exactly one of --every (a period) and --cron (an expression)")
            }
            if zone != nil && cron == nil { throw CLIError.badInput("--zone: applies only with --cron") }
            var seconds = 0.0
            if let every {
                guard let parsed = parseDuration(every), parsed <= Double(RecurringSchedule.maxEverySeconds) else {
                    throw CLIError.badInput(
                        "--every: '\(every)' is not a period such as 3600, 90s, 15m, 12h or 1d of at most 366 days")
                }
                seconds = parsed
            }
            let first = try start.map { text -> Date in
                guard let date = UTCTimestamp.date(from: text) else {
                    throw CLIError.badInput("--start: '\(text)' is not an ISO-8601 time such as 2026-12-02T02:00:00Z")
                }
                return date
            } ?? RecurringSchedule.start(now: Date())
            let jobs = try ledger.open(creating: true)
            let wanted =
                if let cron {
                    RecurringSchedule(
                        name: name, type: type, payload: payload, cron: cron, timeZone: zone, start: first, priority: priority,
                        maxAttempts: maxAttempts, missed: missed)
                } else {
                    RecurringSchedule(
                        name: name, type: type, payload: payload, everySeconds: Int(seconds), start: first, priority: priority,
                        maxAttempts: maxAttempts, missed: missed)
                }
            let schedule = try jobs.setSchedule(wanted, by: actor.value)
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

struct SchedulePause: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a recurring schedule (admins and the system): nothing is submitted until it is resumed.",
        discussion: "Example: jobledger schedule pause nightly-report --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The schedule's name.") var name: String
    @OptionGroup var actor: ActorOptions

    func run() throws { try setPaused(true, name: name, ledger: ledger, actor: actor) }
}

struct ScheduleResume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused schedule; its missed policy says what comes of the occurrences that passed.",
        discussion: "Example: jobledger schedule resume nightly-report --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The schedule's name.") var name: String
    @OptionGroup var actor: ActorOptions

    func run() throws { try setPaused(false, name: name, ledger: ledger, actor: actor) }
}

/// Pauses or resumes; exit 4 when there is no such schedule.
private func setPaused(_ paused: Bool, name: String, ledger: LedgerOptions, actor: ActorOptions) throws {
    try runReportingErrors {
        guard let schedule = try ledger.open(creating: false).setSchedulePaused(paused, name: name, by: actor.value) else {
            writeError(CLIError.badInput("no schedule '\(name)'"))
            throw ExitCode(4)
        }
        printSchedules([schedule], json: ledger.json)
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

extension RecurringSchedule.MissedOccurrences: ExpressibleByArgument {}
