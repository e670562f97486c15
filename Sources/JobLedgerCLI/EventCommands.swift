import ArgumentParser
import EventStore
import Foundation
import JobLedger

/// Shows progress on stderr when it is a terminal; silent otherwise.
struct ProgressLine {
    let enabled = isatty(STDERR_FILENO) != 0
    let label: String

    func show(_ done: UInt64, of total: UInt64) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = Int(Double(done) / Double(total) * Double(width))
        let bar = String(repeating: "#", count: min(width, filled)) + String(repeating: ".", count: max(0, width - filled))
        OutputWrites.standardError("\r\(label) [\(bar)] \(done)/\(total)")
    }

    func finish() {
        if enabled { OutputWrites.standardError("\n") }
    }
}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print events of the log as JSON Lines, optionally following new ones.",
        discussion: """
            With --follow, the stored events and the ones committed later are printed as one walk by \
            position: every position once, in order, until interrupted. An event that fails its checksum \
            stops the command with exit 1, naming its position. A --from beyond the position after the \
            log's last is refused (exit 2): this ledger never had those events.
            Example: jobledger events --from 100 --type JobCancelled --follow
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "First position.") var from: UInt64 = 1
    @Option(help: "Only this stream.") var stream: String?
    @Option(name: .customLong("type"), help: "Only events of this type (repeatable).") var types: [String] = []
    @Flag(help: "Keep printing events as they are committed, every position once.") var follow = false

    func run() async throws {
        var opened: JobLedger?
        try runReportingErrors { opened = try ledger.openForReading() }
        guard let jobs = opened else { return }
        let selection = ExportSelection(
            fromPosition: from, streamID: stream, types: types.isEmpty ? nil : Set(types))
        try await runReportingErrors {
            // As the HTTP event pages and stream refuse `after` beyond the
            // end: such a start names events this ledger never had, and
            // following from it would look like a quiet log.
            try requireStart(from, last: try jobs.store.lastPosition())
            if follow {
                // One walk by position from `--from` on: the stored events and
                // the ones committed later, joined at the exact position.
                try await jobs.store.followEvents(format: .jsonLines, selection: selection) { try OutputWrites.standardOutput($0) }
            } else {
                try jobs.store.exportEvents(format: .jsonLines, selection: selection) { try OutputWrites.standardOutput($0) }
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export events as JSON Lines or CSV, with constant memory.",
        discussion: """
            JSON Lines is the restore format: each line ends in a SHA-256 "digest" chained from the line \
            before, and a closing line {"count":N,"digest":"…"} ends the file; `jobledger import` checks \
            them all. CSV carries no digests: it is for spreadsheets, not for restoring.
            With --out the export is written to a temporary file beside it and renamed when complete; an \
            existing file is replaced only with --force, and a file of the ledger never. A --from beyond the \
            position after the log's last is refused (exit 2); the position after the last gives an empty export.
            Example: jobledger export --format csv --since 2026-11-01T00:00:00Z --out events.csv
            """)

    enum Format: String, ExpressibleByArgument { case jsonl, csv }

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "jsonl or csv (CSV cells a spreadsheet would run as formulas get a leading ').") var format: Format = .jsonl
    @Option(help: "First position.") var from: UInt64 = 1
    @Option(help: "Last position (inclusive).") var to: UInt64?
    @Option(help: "Only this stream.") var stream: String?
    @Option(name: .customLong("type"), help: "Only events of this type (repeatable).") var types: [String] = []
    @Option(help: "Recorded at or after (ISO-8601).") var since: String?
    @Option(help: "Recorded before (ISO-8601).") var until: String?
    @Option(help: "Write to this file instead of stdout (created 0600; never a file of the ledger).") var out: String?
    @Flag(help: "Replace the --out file when it exists.") var force = false

    func run() throws {
        try runReportingErrors {
            if let to, to < from { throw CLIError.badInput("--to \(to) is before --from \(from): the range holds no position") }
            let jobs = try ledger.openForReading()
            let selection = ExportSelection(
                fromPosition: from, toPosition: to, streamID: stream, types: types.isEmpty ? nil : Set(types),
                since: try since.map { try parseTime($0, option: "--since") },
                until: try until.map { try parseTime($0, option: "--until") })
            let total = try jobs.store.lastPosition()
            // As for `events`: the position after the last is an empty
            // export (nothing new since the last one); beyond it is refused
            // before any file is made.
            try requireStart(from, last: total)
            var destination = try out.map { try ExportDestination(path: $0, ledgerPath: ledger.path, force: force) }
            defer { destination?.discard() }
            let progress = ProgressLine(label: "export")
            var written = 0
            let count = try jobs.store.exportEvents(format: format == .csv ? .csv : .chainedJSONLines, selection: selection) { bytes in
                if let destination { try destination.write(bytes) } else { try OutputWrites.standardOutput(bytes) }
                written += bytes.count
                progress.show(min(total, UInt64(written / 200)), of: total)
            }
            progress.finish()
            if destination != nil {
                try destination?.finish()
                OutputWrites.standardError("exported \(count) events\n")
            }
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a JSON Lines export, all or nothing; '-' reads stdin.",
        discussion: """
            The file must be an export as `jobledger export` writes it: every line's digest and the closing \
            line are checked, so a file edited, reordered or cut short is refused. Every job's history must \
            be one the ledger's commands could have written, each job event followed by its audit entry. \
            The first line that breaks a rule is named and nothing is written; a ledger the import created \
            is removed again. --dry-run checks everything and writes nothing, and creates no ledger.
            Example: jobledger import events.jsonl --db restored.ledger
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The file to import, or - for stdin.") var file: String
    @Flag(help: "Check everything, write nothing (a missing ledger is not created).") var dryRun = false

    func run() throws {
        try runReportingErrors {
            let data: Data
            do {
                data = file == "-"
                    ? try EventStore.importData(from: FileHandle.standardInput)
                    : try EventStore.importData(fromFile: file)
            } catch {
                throw CLIError.badInput("import stopped, nothing imported: \(error)")
            }
            let options = ledger
            let target = LedgerImport(path: ledger.path, dryRun: dryRun, shared: ledger.postgresURL != nil)
            let report = try target.run(open: { path in
                var options = options
                if options.postgresURL == nil { options.db = path }
                return try options.open(creating: true)
            }, body: { jobs in
                do {
                    return try jobs.importEvents(jsonLines: data, dryRun: dryRun)
                } catch {
                    throw CLIError.badInput("import stopped, nothing imported: \(error)")
                }
            })
            if ledger.json {
                Output.printJSON(["imported": report.imported, "skipped": report.skipped, "lastPosition": report.lastPosition])
            } else {
                print("imported \(report.imported) events, skipped \(report.skipped) already present; last position \(report.lastPosition)")
            }
        }
    }
}

/// Where an import writes: the ledger when it exists; otherwise a new one
/// that is removed again when the import fails, or, for a dry run, a
/// scratch ledger that is always removed, so that neither leaves anything.
struct LedgerImport {
    let path: String
    let dryRun: Bool
    /// A ledger on a database server: imported into in one transaction,
    /// which a failure or a dry run rolls back; there is no directory.
    var shared = false

    func run(
        open openLedger: (String) throws -> JobLedger, body: (JobLedger) throws -> ImportReport
    ) throws -> ImportReport {
        let manager = FileManager.default
        if shared || manager.fileExists(atPath: path) { return try body(openLedger(path)) }
        let target = dryRun
            ? manager.temporaryDirectory.appendingPathComponent("jobledger-dry-run-\(UUID().uuidString)").path
            : path
        // Claim the directory with mkdir, which fails if it exists: a ledger
        // another process created meanwhile is imported into, never removed.
        // Folders made on the way to it are removed with it.
        var created = target
        var parent = URL(fileURLWithPath: target).deletingLastPathComponent()
        while parent.path != "/" && !manager.fileExists(atPath: parent.path) {
            created = parent.path
            parent = parent.deletingLastPathComponent()
        }
        do throws(DirectoryCreationFailure) {
            try LedgerDirectories.createParents(of: target)
        } catch {
            throw CLIError.badInput("cannot create '\(target)': \(error)")
        }
        if mkdir(target, 0o700) != 0 {
            guard errno == EEXIST, !dryRun else {
                throw CLIError.badInput("cannot create '\(target)': \(String(cString: strerror(errno)))")
            }
            return try body(openLedger(path))
        }
        var succeeded = false
        defer {
            if dryRun || !succeeded { try? manager.removeItem(atPath: created) }
        }
        // The ledger is closed (dropped) before the directory is removed.
        let report = try { () throws -> ImportReport in try body(openLedger(target)) }()
        succeeded = true
        return report
    }
}

struct Digest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the SHA-256 digest of the ledger's head.",
        discussion: """
            The digest chain over every event from position 1 up to --at (the last position by default), \
            computed exactly as `jobledger export` computes the digest on each line. Keep it: a later \
            whole-log export whose line for that position carries the same digest, and that imports \
            (the import checks every digest), proves that nothing up to that position was changed.
            Example: jobledger digest --at 5000 --json
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The last position to cover (default: the last position).") var at: UInt64?

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            guard let digest = try jobs.store.digest(at: at) else {
                let last = try jobs.store.lastPosition()
                throw CLIError.badInput("--at \(at ?? 0) is beyond the last position, \(last)")
            }
            if ledger.json {
                Output.printJSON(["position": digest.position, "events": digest.events, "digest": digest.digest])
            } else {
                print("\(digest.digest)  position \(digest.position), \(digest.events) events")
            }
        }
    }
}

/// Refuses a `--from` beyond the position after the log's `last`: such a
/// start names events this ledger never had. The position right after the
/// last is allowed (nothing new yet).
func requireStart(_ from: UInt64, last: UInt64) throws {
    if from > 1 && from - 1 > last {
        throw CLIError.badInput(
            "--from: position \(from) is beyond the log's last position \(last) (the next event will be \(last + 1)); "
                + "this ledger never had it (was it restored from an older copy, or is this another ledger?)")
    }
}
