import Foundation
import Testing

@Suite struct ExportImportCommandTests {
    /// A ledger with a few jobs in different states.
    static func populated(_ cli: CommandLineRunner) throws {
        for index in 0..<4 {
            _ = try cli.run(["submit", "--id", "e\(index)", "--type", "t", "--owner", "alice", "--org", "acme",
                             "--payload", #"{"n":\#(index),"note":"a, \"quoted\" text"}"#])
        }
        _ = try cli.run(["claim", "--worker", "w"])
        _ = try cli.run(["complete", "e0", "--worker", "w", "--attempt", "1"])
        _ = try cli.run(["cancel", "e1", "--actor", "alice", "--org", "acme", "--reason", "not needed"])
    }

    @Test func exportImportIntoAnEmptyLedgerAndExportAgainGivesIdenticalFiles() throws {
        let scratch = ScratchDirectory()
        let source = scratch.ledger
        try Self.populated(source)
        let first = scratch.path + "/first.jsonl"
        #expect(try source.run(["export", "--out", first]).status == 0)
        let target = CommandLineRunner(ledgerPath: scratch.path + "/restored")
        let imported = try target.run(["import", first, "--json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        // Every line but the closing one is an event.
        let lines = try String(contentsOfFile: first, encoding: .utf8).split(separator: "\n").count - 1
        #expect(imported.json?["imported"] as? Int == lines)
        let second = scratch.path + "/second.jsonl"
        #expect(try target.run(["export", "--out", second]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
        // The projections came along: the restored ledger answers queries.
        #expect(try target.run(["status", "e0", "--json"]).json?["state"] as? String == "completed")
        let again = try target.run(["import", first, "--json"])
        #expect(again.json?["imported"] as? Int == 0)
        #expect(again.json?["skipped"] as? Int == lines)
    }

    @Test func aTruncatedImportNamesItsLineAndImportsNothing() throws {
        let scratch = ScratchDirectory()
        let source = scratch.ledger
        try Self.populated(source)
        let file = scratch.path + "/events.jsonl"
        _ = try source.run(["export", "--out", file])
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text.removeLast(40)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let target = CommandLineRunner(ledgerPath: scratch.path + "/restored")
        _ = try target.run(["submit", "--id", "keep", "--type", "t", "--owner", "bob", "--org", "acme"])
        let before = try target.run(["info", "--json"]).json?["lastPosition"] as? Int
        let outcome = try target.run(["import", file])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("line"))
        #expect(try target.run(["info", "--json"]).json?["lastPosition"] as? Int == before)
    }

    @Test func csvExportHasAHeaderAndEventsFollowsTheLog() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        try Self.populated(cli)
        let csv = try cli.run(["export", "--format", "csv", "--type", "JobSubmitted"])
        let rows = csv.stdout.split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(rows.first?.hasPrefix("position,stream,version") == true)
        #expect(rows.count == 5)
        let events = try cli.run(["events", "--stream", "job-e1"])
        let lines = events.stdout.split(separator: "\n")
        #expect(lines.count == 2)  // submitted, then cancelled while pending
        #expect(lines.allSatisfy { $0.contains(#""stream":"job-e1""#) })
    }
}
