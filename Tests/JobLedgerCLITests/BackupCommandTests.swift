import Foundation
import Testing

/// `jobledger backup`, `restore` and the growth figures of `info`, as an
/// operator runs them.
@Suite struct BackupCommandTests {
    static func submit(_ cli: CommandLineRunner, _ ids: ClosedRange<Int>) throws {
        for index in ids {
            let outcome = try cli.run(["submit", "--id", "j\(index)", "--type", "email", "--owner", "alice", "--org", "acme"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
    }

    @Test func aBackupPrintsTheDigestOfItsHeadAndARestoreOfItListsTheSameJobs() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        try Self.submit(cli, 1...4)
        #expect(try cli.run(["cancel", "j2", "--actor", "alice", "--org", "acme", "--reason", "not needed"]).status == 0)
        let digest = try #require(try cli.run(["digest", "--json"]).json)

        let backup = try cli.run(["backup", scratch.path + "/backup", "--compact", "--json"])
        let report = try #require(backup.json, "\(backup.stderr)")
        #expect(report["digest"] as? String == digest["digest"] as? String)
        #expect(report["position"] as? Int == digest["position"] as? Int)
        #expect(report["events"] as? Int == digest["events"] as? Int)
        #expect(report["compacted"] as? Bool == true)
        let text = try cli.run(["backup", scratch.path + "/backup-2"]).stdout
        #expect(text.contains("digest \(try #require(digest["digest"] as? String))"))

        let restored = CommandLineRunner(ledgerPath: scratch.path + "/restored")
        let restore = try restored.run(["restore", scratch.path + "/backup"])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try restored.run(["list", "--json"]).stdout == (try cli.run(["list", "--json"]).stdout))
        #expect(try restored.run(["verify"]).status == 0)
        #expect(try restored.run(["history", "j2", "--json"]).stdout == (try cli.run(["history", "j2", "--json"]).stdout))
    }

    @Test func aBackupIntoATakenDirectoryFailsNamingItAndLeavesItAlone() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        try Self.submit(cli, 1...1)
        let taken = scratch.path + "/taken"
        try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: taken + "/data.mdb"))
        let outcome = try cli.run(["backup", taken])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("'\(taken)': the directory is not empty"), "\(outcome.stderr)")
        #expect(try String(contentsOfFile: taken + "/data.mdb", encoding: .utf8) == "x")
        let restore = try CommandLineRunner(ledgerPath: taken).run(["restore", scratch.path + "/nothing-here"])
        #expect(restore.status == 1)
        #expect(restore.stderr.contains("no backup"), "\(restore.stderr)")
    }

    @Test func infoReportsTheFilesGrowthAsTheFileGrew() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        try Self.submit(cli, 1...2)
        let first = try #require(try cli.run(["info", "--json"]).json)
        let hour = try #require(first["growthLastHour"] as? [String: Any])
        let day = try #require(first["growthLastDay"] as? [String: Any])
        let grown = try #require(hour["bytes"] as? Int)
        #expect(grown > 0)
        #expect(day["bytes"] as? Int == grown)
        // A ledger seconds old: the record of sizes covers its life, not the hour.
        #expect(try #require(hour["overSeconds"] as? Double) < 60)

        // Big payloads, so the file grows by many pages.
        for index in 3...40 {
            let payload = #"{"blob":""# + String(repeating: "x", count: 3000) + #""}"#
            _ = try cli.run([
                "submit", "--id", "j\(index)", "--type", "email", "--owner", "alice", "--org", "acme", "--payload", payload,
            ])
        }
        let second = try #require(try cli.run(["info", "--json"]).json)
        let later = try #require((second["growthLastHour"] as? [String: Any])?["bytes"] as? Int)
        let filePages = try #require(second["filePages"] as? Int) - (try #require(first["filePages"] as? Int))
        let pageSize = try #require(second["pageSize"] as? Int)
        #expect(filePages > 20)
        #expect(later - grown == filePages * pageSize)
        #expect(try cli.run(["info"]).stdout.contains("growthLastHour          +\(later) bytes"))
    }
}
