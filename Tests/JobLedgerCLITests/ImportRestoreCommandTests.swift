import EventStore
import Foundation
import Testing

/// `import` as a restore: a crafted history is refused before anything is
/// written, a dry run or a refused import into a new path leaves nothing,
/// and `digest` prints the digest each export line carries.
@Suite struct ImportRestoreCommandTests {
    /// The export of a ledger where job e0 completed, as plain event lines.
    static func exportedLines(_ scratch: ScratchDirectory) throws -> [String] {
        try ExportImportCommandTests.populated(scratch.ledger)
        let text = try scratch.ledger.run(["export"]).stdout
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(#"{"count":"#) }.map { line in
            let range = line.range(of: #","digest":""#, options: .backwards)!
            return String(line[..<range.lowerBound]) + "}"
        }
    }

    @Test func aCraftedRetryOfACompletedJobIsRefusedAndNothingIsClaimedTwice() throws {
        let scratch = ScratchDirectory()
        var lines = try Self.exportedLines(scratch)
        let completed = try #require(lines.firstIndex { $0.contains(#""type":"JobCompleted""#) })
        let version = lines.filter { $0.contains(#""stream":"job-e0""#) }.count + 1
        let time = "2027-01-15T08:10:00.000000Z"
        let request = "11111111-2222-4333-8444-555555555555"
        // One crafted line, chained afresh as an attacker can: no audit entry.
        lines.append(#"{"position":\#(lines.count + 1),"stream":"job-e0","version":\#(version),"eventId":"aaaaaaaa-0000-4000-8000-000000000001","type":"JobRetried","recordedAt":"\#(time)","actor":"alice","correlationId":"\#(request)","causationId":null,"data":{"actor":"alice"}}"#)
        #expect(completed < lines.count - 1)
        let file = scratch.path + "/crafted.jsonl"
        try ExportSealing.seal(lines).map { $0 + "\n" }.joined().write(toFile: file, atomically: true, encoding: .utf8)

        let target = CommandLineRunner(ledgerPath: scratch.path + "/restored")
        let outcome = try target.run(["import", file])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("line \(lines.count):"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/restored"))
    }

    @Test func aDryRunIntoAMissingLedgerCreatesNothing() throws {
        let scratch = ScratchDirectory()
        try ExportImportCommandTests.populated(scratch.ledger)
        let file = scratch.path + "/events.jsonl"
        #expect(try scratch.ledger.run(["export", "--out", file]).status == 0)
        let target = CommandLineRunner(ledgerPath: scratch.path + "/new")
        let outcome = try target.run(["import", file, "--dry-run", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect((outcome.json?["imported"] as? Int ?? 0) > 0)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/new"))
    }

    @Test func aRefusedImportIntoANewPathLeavesNothing() throws {
        let scratch = ScratchDirectory()
        try ExportImportCommandTests.populated(scratch.ledger)
        let file = scratch.path + "/events.jsonl"
        #expect(try scratch.ledger.run(["export", "--out", file]).status == 0)
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text.removeLast(40)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let target = CommandLineRunner(ledgerPath: scratch.path + "/new/in/folders")
        let outcome = try target.run(["import", file])
        #expect(outcome.status == 2)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/new"))
    }

    @Test func aMegabyteFieldIsNotEchoedWhole() throws {
        let scratch = ScratchDirectory()
        let huge = String(repeating: "x", count: 1 << 20)
        let line = #"{"position":1,"stream":"job-a","version":1,"eventId":"\#(huge)","type":"JobSubmitted","recordedAt":"2026-11-23T12:00:00.000000Z","actor":"alice","correlationId":null,"causationId":null,"data":{}}"#
        let file = scratch.path + "/huge.jsonl"
        try ExportSealing.seal([line]).map { $0 + "\n" }.joined().write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try CommandLineRunner(ledgerPath: scratch.path + "/new").run(["import", file])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("is not a UUID"))
        #expect(outcome.stderr.utf8.count < 1000)
    }

    @Test func digestPrintsTheDigestTheExportCarries() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        try ExportImportCommandTests.populated(cli)
        let lines = try cli.run(["export"]).stdout.split(separator: "\n").map(String.init)
        let head = try cli.run(["digest", "--json"])
        #expect(head.status == 0)
        let digest = try #require(head.json?["digest"] as? String)
        #expect(lines.last == #"{"count":\#(lines.count - 1),"digest":"\#(digest)"}"#)
        let atThree = try cli.run(["digest", "--at", "3"]).stdout
        #expect(atThree.hasPrefix(String(lines[2].suffix(66).prefix(64))))
        let beyond = try cli.run(["digest", "--at", "\(lines.count + 5)"])
        #expect(beyond.status == 2)
    }
}
