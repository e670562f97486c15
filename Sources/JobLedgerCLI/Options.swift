import ArgumentParser
import EventStore
import Foundation
import JobLedger

/// Where the ledger is and how to print.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: "Ledger directory (default: $JOBLEDGER_DB, else ./jobledger.db).")
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "PostgreSQL URL of a shared ledger, in place of --db (default: $JOBLEDGER_POSTGRES).",
        valueName: "url"))
    var postgres: String?

    @Flag(name: .long, help: "Print one JSON document (JSON Lines for event streams).")
    var json = false

    /// The ledger path chosen by flag, environment or default.
    var path: String {
        db ?? ProcessInfo.processInfo.environment["JOBLEDGER_DB"] ?? "./jobledger.db"
    }

    /// The URL of a shared ledger, by flag or environment; `nil` for an
    /// embedded one. `--db` on the command line wins over the environment's URL.
    var postgresURL: String? {
        if let postgres { return postgres }
        if db != nil { return nil }
        return ProcessInfo.processInfo.environment["JOBLEDGER_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Opens the ledger; commands that only read refuse a missing path.
    func open(creating: Bool) throws -> JobLedger {
        try open(creating: creating, readOnly: false)
    }

    /// Opens an existing ledger for reading only: no writer lock, nothing
    /// created, so a read-only file system or a stopped writer holding the
    /// write lock does not keep the command from answering.
    ///
    /// Opening reads through a snapshot, which needs a reader slot. When
    /// every slot is taken, it opens the ledger as writers do instead, whose
    /// opening reads go through the write transaction and need no slot: so
    /// `info` still answers on a ledger whose slots are all taken (waiting
    /// for the writer lock, in that case only).
    func openForReading() throws -> JobLedger {
        do {
            return try open(creating: false, readOnly: true)
        } catch let failure as CLIError {
            guard failure.isReadersFull else { throw failure }
            return try open(creating: false, readOnly: false)
        }
    }

    private func open(creating: Bool, readOnly: Bool) throws -> JobLedger {
        if let url = postgresURL {
            guard db == nil else { throw CLIError.badInput("give --db or --postgres, not both") }
            var options = JobLedgerOptions()
            options.store.readOnly = readOnly
            do {
                return try SharedLedgerBackend.open(url: url, options: options)
            } catch let error as JobLedgerError {
                throw CLIError.ledger(error)
            }
        }
        if !creating && !FileManager.default.fileExists(atPath: path + "/data.mdb") {
            throw CLIError.missingLedger(path)
        }
        var options = JobLedgerOptions()
        options.store.readOnly = readOnly
        if ProcessInfo.processInfo.environment["JOBLEDGER_NOSYNC"] == "1"
            || JobLedgerCommand.noSyncForInProcessRuns.load(ordering: .relaxed) {
            options.store.durability = .noSyncForTestsAndBenchmarks
        }
        do {
            return try JobLedger(path: path, options: options)
        } catch {
            throw CLIError.ledger(error)
        }
    }
}

/// Who issues a command.
struct ActorOptions: ParsableArguments {
    @Option(name: .long, help: "Actor id.")
    var actor: String

    @Option(name: .long, help: "Actor role: user, admin, worker or system.")
    var role: Actor.Role = .user

    @Option(name: .long, help: "Actor organisation.")
    var org: String

    var value: Actor { Actor(id: actor, role: role, organisation: org) }
}

extension Actor.Role: ExpressibleByArgument {}

extension JobState: ExpressibleByArgument {
    public init?(argument: String) {
        guard let state = try? JobState.parse(argument) else { return nil }
        self = state
    }
}

/// Parses a time given as ISO-8601 (with or without fractional seconds)
/// inside the ledger's range of instants; a bad time is bad input (exit 2)
/// naming the option, not a usage error.
func parseTime(_ text: String, option: String) throws -> Date {
    let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    guard let date = (try? fractional.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
        throw CLIError.badInput("\(option): '\(text)' is not an ISO-8601 time such as 2026-11-23T12:00:00Z")
    }
    guard (try? JobLedger.checkInstant(date, field: option)) != nil else {
        throw CLIError.badInput("\(option): '\(text)' is outside \(LedgerTimeRange.description)")
    }
    return date
}

/// Refuses a lease out of bounds before the ledger is opened.
func checkLease(_ seconds: Double) throws {
    try JobLedger.checkLease(seconds)
}

extension CLIError {
    /// True for a ledger that could not be opened because every reader
    /// slot was taken. (Written as a property: a `catch` pattern with this
    /// condition in its `where` clause crashes the optimiser of the
    /// release build.)
    var isReadersFull: Bool {
        guard case .ledger(let error) = self else { return false }
        return error.storeCode == .readersFull
    }
}
