import ArgumentParser
import Foundation
import JobLedger

/// `jobledger queue`: the settings of a job type (a concurrency limit, a
/// pause), each change recorded with its actor.
struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or change the settings of a job type: a limit on jobs running at once, a pause, retention.",
        subcommands: [
            QueueShow.self, QueueLimit.self, QueueRate.self, QueuePause.self, QueueResume.self, QueueRetain.self,
        ])
}

/// Prints a type's settings.
private func printSettings(_ type: String, _ settings: QueueSettings, json: Bool) {
    if json {
        Output.printJSON([
            "type": type, "concurrency": settings.concurrency.orNull, "paused": settings.paused,
            "rate": settings.rate.orNull, "ratePeriod": settings.ratePeriod.orNull,
            "retentionSeconds": settings.retentionSeconds.orNull,
        ])
    } else {
        print("type         \(TerminalText.escaped(type))")
        print("concurrency  \(settings.concurrency.map(String.init) ?? "no limit")")
        let rate = settings.rate.map { "\($0) per \(settings.ratePeriod ?? 1) s" } ?? "no limit"
        print("rate         \(rate)")
        print("paused       \(settings.paused ? "yes" : "no")")
        print("retention    \(settings.retentionSeconds.map { "events of jobs ended over \($0) s ago are scavenged" } ?? "keep for ever")")
    }
}

struct QueueShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "The settings of a job type.", discussion: "Example: jobledger queue show email")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job type.") var type: String

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            printSettings(type, try jobs.queueSettings(type), json: ledger.json)
        }
    }
}

struct QueueLimit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Limit the jobs of a type running at once across all workers (admins and the system).",
        discussion: "Example: jobledger queue limit email --concurrency 3 --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job type.") var type: String
    @Option(parsing: .unconditional, help: "At most this many running at once, 1 to \(JobLimits.maxConcurrencyLimit).")
    var concurrency: Int?
    @Flag(help: "Lift the limit.") var noLimit = false
    @Option(help: "Why.") var reason: String?
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            guard (concurrency != nil) != noLimit else {
                throw CLIError.badInput("give --concurrency N or --no-limit, one of them")
            }
            let jobs = try ledger.open(creating: false)
            let settings = try jobs.setConcurrencyLimit(noLimit ? nil : concurrency, forType: type, by: actor.value, reason: reason)
            printSettings(type, settings, json: ledger.json)
        }
    }
}

struct QueueRate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate",
        abstract: "Limit claims of a type to N in any window of a period, across all workers (admins and the system).",
        discussion: "Example: jobledger queue rate email --rate 100 --per 1 --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job type.") var type: String
    @Option(parsing: .unconditional, help: "At most this many claims per period, 1 to \(JobLimits.maxRateLimit).")
    var rate: Int?
    @Option(parsing: .unconditional, help: "The period in seconds (default 1).") var per: Double = 1
    @Flag(help: "Lift the rate limit.") var noLimit = false
    @Option(help: "Why.") var reason: String?
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            guard (rate != nil) != noLimit else { throw CLIError.badInput("give --rate N or --no-limit, one of them") }
            let jobs = try ledger.open(creating: false)
            let settings = try jobs.setRateLimit(noLimit ? nil : rate, per: per, forType: type, by: actor.value, reason: reason)
            printSettings(type, settings, json: ledger.json)
        }
    }
}

struct QueuePause: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Stop claims of a job type until it is resumed (admins and the system).",
        discussion: "Example: jobledger queue pause email --reason 'smtp down' --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job type.") var type: String
    @Option(help: "Why.") var reason: String
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            printSettings(type, try jobs.pauseQueue(type, by: actor.value, reason: reason), json: ledger.json)
        }
    }
}

struct QueueResume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Let claims of a paused job type go on (admins and the system).",
        discussion: "Example: jobledger queue resume email --actor root --role admin --org acme")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job type.") var type: String
    @Option(help: "Why.") var reason: String?
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            printSettings(type, try jobs.resumeQueue(type, by: actor.value, reason: reason), json: ledger.json)
        }
    }
}

struct QueueRetain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retain",
        abstract: "Set how long the events of a type's ended jobs stay in the live ledger (admins and the system).",
        discussion: """
            `jobledger scavenge` moves the events of jobs of the type that ended (completed, failed, \
            cancelled or killed) longer ago than this into an archive file. Without a policy nothing \
            is ever scavenged.
            Example: jobledger queue retain email --after 90d --actor root --role admin --org acme
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job type.") var type: String
    @Option(help: "The period: seconds, or 90s, 15m, 12h, 90d.") var after: String?
    @Flag(help: "Keep the type's events for ever (the default).") var keep = false
    @Option(help: "Why.") var reason: String?
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            guard (after != nil) != keep else { throw CLIError.badInput("give --after PERIOD or --keep, one of them") }
            var seconds: Int? = nil
            if let after {
                guard let parsed = parseDuration(after), parsed >= 1, parsed <= Double(JobLimits.maxRetentionSeconds),
                      parsed == parsed.rounded()
                else {
                    throw CLIError.badInput(
                        "--after: '\(after)' is not a whole period such as 3600, 90s, 15m, 12h or 90d of 1 s to 100 years")
                }
                seconds = Int(parsed)
            }
            let jobs = try ledger.open(creating: false)
            let settings = try jobs.setRetention(seconds, forType: type, by: actor.value, reason: reason)
            printSettings(type, settings, json: ledger.json)
        }
    }
}
