import ArgumentParser
import EventStore
import Foundation
import JobLedger

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the ledger, consistent and checked, while writers go on.",
        discussion: """
            The copy holds exactly what was committed when it began: every append acknowledged before \
            the command started is in it. It is written to DIR/data.mdb (DIR new or empty, mode 0700, \
            the file 0600), then opened and checked: every event's checksum, dense positions and \
            versions, and the digest of its head, which is printed: the ledger's `jobledger digest --at \
            POSITION` gives the same. --compact leaves free pages out, so the copy is as small as its \
            data; a ledger restored from it takes that size. A copy that fails its check is kept as \
            data.mdb.unverified and the command exits 1. Progress is shown on a terminal.
            To restore: open DIR as the ledger (--db DIR), or `jobledger restore DIR --db NEW`.
            A shared ledger on PostgreSQL is backed up with the database's own tools.
            Example: jobledger backup /backups/jobs-2026-12-01 --compact --db /var/lib/jobs.ledger
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The directory to write the copy into: new, or empty.") var directory: String
    @Flag(help: "Leave free pages out of the copy.") var compact = false

    func run() throws {
        try runReportingErrors {
            let refusal = CLIError.badInput(
                "backup copies an embedded ledger (--db); a shared ledger on PostgreSQL is backed up with "
                    + "the database's own tools (pg_basebackup, or pg_dump of its schema)")
            guard ledger.postgresURL == nil else { throw refusal }
            guard let store = try ledger.openForReading().embeddedStore else { throw refusal }
            let line = ProgressLine(label: "copying")
            let report = try store.backup(to: directory, compact: compact) { progress in
                line.show(UInt64(progress.bytesWritten), of: UInt64(max(progress.bytesExpected, progress.bytesWritten)))
            }
            line.finish()
            BackupOutput.print(report, verb: "backed up", json: ledger.json)
        }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a new or empty ledger directory, checked.",
        discussion: """
            Checks the backup (every event, its digest), copies it to --db (new or empty), checks the \
            copy and compares digests; the backup stays as it was. Nothing is written to a --db that \
            holds anything.
            Example: jobledger restore /backups/jobs-2026-12-01 --db /var/lib/jobs.ledger
            """)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The backup directory (written by `jobledger backup`).") var backup: String

    func run() throws {
        try runReportingErrors {
            guard ledger.postgresURL == nil else {
                throw CLIError.badInput("restore writes an embedded ledger: give --db, not --postgres")
            }
            let line = ProgressLine(label: "restoring")
            let report = try EventStore.restore(from: backup, to: ledger.path) { progress in
                line.show(UInt64(progress.bytesWritten), of: UInt64(max(progress.bytesExpected, progress.bytesWritten)))
            }
            line.finish()
            BackupOutput.print(report, verb: "restored", json: ledger.json)
        }
    }
}

/// The one way both commands print what they did.
enum BackupOutput {
    static func print(_ report: BackupReport, verb: String, json: Bool) {
        if json {
            Output.printJSON([
                "path": report.path, "bytes": report.bytes, "compacted": report.compacted, "events": report.events,
                "position": report.digest.position, "digest": report.digest.digest, "verified": true,
            ])
        } else {
            Swift.print(TerminalText.escaped(
                "\(verb) \(report.events) events through position \(report.digest.position) to \(report.path) "
                    + "(\(report.bytes) bytes\(report.compacted ? ", compacted" : "")); every event checked"))
            Swift.print("digest \(report.digest.digest)")
        }
    }
}
