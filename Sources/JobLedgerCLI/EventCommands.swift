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
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print events of the log as JSON Lines, optionally following new ones.",
        discussion: """
            With --follow, the stored events and the ones committed later are printed as one walk by \
            position: every position once, in order, until interrupted. An event that fails its checksum \
            stops the command with exit 1, naming its position.
            Example: jobledger events --from 100 --type JobCancelled --follow
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "First position.") var from: UInt64 = 1
    @Option(help: "Only this stream.") var stream: String?
    @Option(name: .customLong("type"), help: "Only events of this type (repeatable).") var types: [String] = []
    @Flag(help: "Keep printing events as they are committed, every position once.") var follow = false

    func run() async throws {
        var opened: JobLedger?
        try runReportingErrors { opened = try ledger.open(creating: false) }
        guard let jobs = opened else { return }
        let selection = ExportSelection(
            fromPosition: from, streamID: stream, types: types.isEmpty ? nil : Set(types))
        let output = FileHandle.standardOutput
        try await runReportingErrors {
            if follow {
                // One walk by position from `--from` on: the stored events and
                // the ones committed later, joined at the exact position.
                try await jobs.store.followEvents(format: .jsonLines, selection: selection) { output.write(Data($0)) }
            } else {
                try jobs.store.exportEvents(format: .jsonLines, selection: selection) { output.write(Data($0)) }
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export events as JSON Lines or CSV, with constant memory.",
        discussion: "Example: jobledger export --format csv --since 2026-11-01T00:00:00Z --out events.csv")

    enum Format: String, ExpressibleByArgument { case jsonl, csv }

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "jsonl or csv.") var format: Format = .jsonl
    @Option(help: "First position.") var from: UInt64 = 1
    @Option(help: "Last position (inclusive).") var to: UInt64?
    @Option(help: "Only this stream.") var stream: String?
    @Option(name: .customLong("type"), help: "Only events of this type (repeatable).") var types: [String] = []
    @Option(help: "Recorded at or after (ISO-8601).") var since: String?
    @Option(help: "Recorded before (ISO-8601).") var until: String?
    @Option(help: "Write to this file instead of stdout.") var out: String?

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let selection = ExportSelection(
                fromPosition: from, toPosition: to, streamID: stream, types: types.isEmpty ? nil : Set(types),
                since: try since.map { try parseTime($0, option: "--since") },
                until: try until.map { try parseTime($0, option: "--until") })
            let handle: FileHandle
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: nil) else {
                    throw CLIError.badInput("cannot create '\(out)'")
                }
                handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            } else {
                handle = FileHandle.standardOutput
            }
            let total = try jobs.store.lastPosition()
            let progress = ProgressLine(label: "export")
            var written = 0
            let count = try jobs.store.exportEvents(format: format == .csv ? .csv : .jsonLines, selection: selection) { bytes in
                handle.write(Data(bytes))
                written += bytes.count
                progress.show(min(total, UInt64(written / 200)), of: total)
            }
            progress.finish()
            if out != nil {
                try handle.close()
                FileHandle.standardError.write(Data("exported \(count) events\n".utf8))
            }
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a JSON Lines export, all or nothing; '-' reads stdin.",
        discussion: "Example: jobledger import events.jsonl --db restored.ledger")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The file to import, or - for stdin.") var file: String
    @Flag(help: "Check everything, write nothing.") var dryRun = false

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: true)
            let report: ImportReport
            do {
                report = file == "-"
                    ? try jobs.store.importEvents(from: FileHandle.standardInput, dryRun: dryRun)
                    : try jobs.store.importEvents(fromFile: file, dryRun: dryRun)
            } catch {
                throw CLIError.badInput("import stopped, nothing imported: \(error)")
            }
            if ledger.json {
                Output.printJSON(["imported": report.imported, "skipped": report.skipped, "lastPosition": report.lastPosition])
            } else {
                print("imported \(report.imported) events, skipped \(report.skipped) already present; last position \(report.lastPosition)")
            }
        }
    }
}
