import ArgumentParser
import EventStore
import Foundation
import JobLedger

struct Upgrade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upgrade a ledger of an older on-disk format in place, after backing it up beside it.",
        discussion: """
            Copies the ledger to DIR.format-N-backup (refused when that exists), checks every event of \
            the copy, then raises the format in one write transaction. Stop the ledger's writers first. \
            A ledger already current is left alone. To roll back, stop every process of the ledger and \
            put the backup in its place (it opens with the older program).
            Example: jobledger upgrade --db /var/lib/jobledger
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "Where to put the backup (default: the ledger's directory followed by .format-N-backup).")
    var backup: String?

    func run() throws {
        try runReportingErrors {
            if ledger.postgresURL != nil {
                throw CLIError.badInput(
                    "a PostgreSQL ledger has no on-disk format to upgrade: its schema version is kept by the server "
                        + "(Docs/Operations.md); upgrade applies to a --db ledger")
            }
            let path = ledger.path
            guard FileManager.default.fileExists(atPath: path + "/data.mdb") else { throw CLIError.missingLedger(path) }
            let report: FormatUpgradeReport
            do throws(EventStoreError) {
                report = try EventStore.upgradeFormat(at: path, backup: backup)
            } catch {
                throw CLIError.ledger(.store(error))
            }
            if ledger.json {
                Output.printJSON([
                    "path": report.path, "fromFormat": report.fromFormat, "toFormat": report.toFormat,
                    "upgraded": report.upgraded, "backup": report.backupPath ?? NSNull(),
                    "backupEvents": report.backupEvents, "backupDigest": report.backupDigest ?? NSNull(),
                ])
            } else if !report.upgraded {
                print("'\(TerminalText.escaped(path))' is already at format \(report.toFormat): nothing to do")
            } else {
                let backupPath = TerminalText.escaped(report.backupPath ?? "")
                print("backed up '\(TerminalText.escaped(path))' to '\(backupPath)': \(report.backupEvents) events checked"
                    + (report.backupDigest.map { ", head digest \($0)" } ?? ""))
                print("upgraded '\(TerminalText.escaped(path))' from format \(report.fromFormat) to format \(report.toFormat)")
                print("to roll back: stop every process of the ledger, move it away and put '\(backupPath)' in its place")
            }
        }
    }
}
