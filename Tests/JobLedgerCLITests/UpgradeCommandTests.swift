import Foundation
import Testing

/// `jobledger upgrade` on a copy of `Fixtures/format-1`: writing commands
/// refuse the format-1 ledger naming the command, reading ones answer, and
/// the upgrade backs it up, raises the format and says what it did.
@Suite struct UpgradeCommandTests {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/format-1/ledger/data.mdb").path

    @Test func aFormatOneLedgerIsReadRefusedForWritingAndUpgradedByTheCommand() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        try FileManager.default.createDirectory(atPath: cli.ledgerPath, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: cli.ledgerPath + "/data.mdb")
        #expect(try cli.run(["status", "completed", "--json"]).status == 0)
        let refused = try cli.run(["submit", "--id", "new", "--type", "t", "--owner", "u", "--org", "acme"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is a format-1 ledger and this build writes format 2"))
        #expect(refused.stderr.contains("jobledger upgrade --db \(cli.ledgerPath)"))

        let upgrade = try cli.run(["upgrade"])
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(upgrade.stdout.contains("backed up '\(cli.ledgerPath)' to '\(cli.ledgerPath).format-1-backup'"))
        #expect(upgrade.stdout.contains("upgraded '\(cli.ledgerPath)' from format 1 to format 2"))
        #expect(try cli.run(["submit", "--id", "new", "--type", "t", "--owner", "u", "--org", "acme"]).status == 0)
        #expect(try cli.run(["verify"]).status == 0)

        let again = try cli.run(["upgrade", "--json"])
        #expect(again.status == 0)
        #expect(again.stdout.contains(#""upgraded":false"#) && again.stdout.contains(#""toFormat":2"#))
    }
}
