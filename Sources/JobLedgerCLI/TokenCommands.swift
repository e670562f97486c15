import ArgumentParser
import Foundation
import JobLedger

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Issue, list and revoke the bearer tokens of `jobledger serve`.",
        subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self])
}

struct TokenCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Issue a token; its text is printed once and only its SHA-256 digest is kept.",
        discussion: "Example: jobledger token create --actor w1 --role worker --org acme --worker w1 --expires 30d --json")

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "Actor id the token speaks for.") var actor: String
    @Option(help: "user, admin, worker or system.") var role: Actor.Role
    @Option(help: "The actor's organisation.") var org: String
    @Option(help: "Worker id of a worker token (default: the actor id).") var worker: String?
    @Option(help: "Lifetime such as 3600, 90s, 15m, 12h or 30d (default: no expiry).") var expires: String?

    func run() throws {
        try runReportingErrors {
            let seconds = try expires.map { text -> TimeInterval in
                guard let seconds = parseDuration(text) else {
                    throw CLIError.badInput("--expires: '\(text)' is not a duration such as 3600, 90s, 15m, 12h or 30d")
                }
                return seconds
            }
            let jobs = try ledger.open(creating: true)
            let issued = try jobs.issueToken(
                for: Actor(id: actor, role: role, organisation: org), worker: worker, expiresIn: seconds,
                issuedBy: localUser())
            if ledger.json {
                Output.printJSON(JobJSON.token(issued.token, text: issued.text))
            } else {
                print(issued.text)
                OutputWrites.standardError("token \(issued.token.id) for \(actor) (\(role.rawValue), \(org)); shown once\n")
            }
        }
    }
}

struct TokenList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List issued tokens (never their text).",
        discussion: "Example: jobledger token list --json")

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let tokens = try jobs.tokens()
            if ledger.json {
                Output.printJSON(["tokens": tokens.map { JobJSON.token($0) }])
            } else {
                print(ReportTable(
                    title: "Tokens", columns: ["id", "actor", "role", "org", "worker", "expires", "revoked"],
                    rows: tokens.map { token in
                        [token.id, token.actor, token.role.rawValue, token.organisation, token.worker ?? "",
                         JobJSON.time(token.expiresAt) as? String ?? "never", JobJSON.time(token.revokedAt) as? String ?? ""]
                    }).renderText())
            }
        }
    }
}

struct TokenRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a token: the server refuses it from the next request on.",
        discussion: "Example: jobledger token revoke tok-0123456789abcdef --reason 'laptop lost'")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The token's id (from token list).") var id: String
    @Option(help: "Why.") var reason: String?

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let token = try jobs.revokeToken(id: id, reason: reason, revokedBy: localUser())
            if ledger.json { Output.printJSON(JobJSON.token(token)) } else { print("revoked \(token.id)") }
        }
    }
}

/// `3600`, `90s`, `15m`, `12h`, `30d` in seconds.
func parseDuration(_ text: String) -> TimeInterval? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
    var digits = Substring(text)
    var unit = 1.0
    if let last = text.last, let factor = units[last] {
        digits = text.dropLast()
        unit = factor
    }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value > 0, value <= 36_500 * 86_400 else { return nil }
    return Double(value) * unit
}

/// Who issues a local command, for the token events' actor.
func localUser() -> String {
    "local:" + (ProcessInfo.processInfo.environment["USER"] ?? String(getuid()))
}
