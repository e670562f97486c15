import Foundation
import JobLedgerTestSupport
import Testing

/// One payload byte of a stored event changed behind the ledger's back:
/// every command that reads the event exits non-zero naming its position
/// and stream, and an export stops before it, so that no export and import
/// can give the damaged event a fresh checksum.
@Suite struct DamagedEventCommandTests {
    @Test("commands reading a damaged event exit 1 naming its position, and export refuses to copy it")
    func commandsReadingADamagedEventFailNamingItsPosition() async throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for index in 0..<4 {
            let submitted = try cli.run([
                "submit", "--id", "e\(index)", "--type", "t", "--owner", "alice", "--org", "acme",
                "--payload", #"{"note":"marker-\#(index)"}"#,
            ])
            #expect(submitted.status == 0, "\(submitted.stderr)")
        }
        let lines = try cli.run(["events"]).stdout.split(separator: "\n")
        let damagedLine = try #require(lines.first { $0.contains("marker-2") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(damagedLine.utf8)) as? [String: Any])
        let position = try #require((object["position"] as? NSNumber)?.uint64Value)
        #expect(object["stream"] as? String == "job-e2")

        try EventDamage.replace("marker-2", with: "marker-X", inEventAt: position, ledgerAt: cli.ledgerPath)

        let named = "event at position \(position) (stream 'job-e2' as stored) is damaged"
        let commands: [[String]] = [
            ["export"], ["export", "--format", "csv"], ["export", "--stream", "job-e2"],
            ["events"], ["history", "e2"], ["status", "e2", "--as-of", "\(position + 100)"],
            ["report"], ["rebuild"], ["rebuild", "--verify"],
        ]
        for command in commands {
            let outcome = try cli.run(command)
            #expect(outcome.status == 1, "\(command.joined(separator: " ")): exit \(outcome.status)")
            #expect(outcome.stderr.contains(named), "\(command.joined(separator: " ")): \(outcome.stderr)")
            #expect(!outcome.stdout.contains("marker-X"), "\(command.joined(separator: " ")) printed the damaged payload")
        }
        // A follower stops at the damage instead of waiting for more events.
        let jobledger = try #require(CommandLineRunner.executable)
        let follower = try EventsFollowCommandTests.Running(
            jobledger, ["events", "--follow"], environment: ["JOBLEDGER_DB": cli.ledgerPath, "JOBLEDGER_NOSYNC": "1"],
            name: "events --follow")
        let status = try await follower.waitForExit(timeout: .seconds(10))
        follower.terminate()
        #expect(status == 1, "events --follow: \(status.map(String.init) ?? "still following")")
        #expect(follower.errorText.contains(named), "events --follow: \(follower.errorText)")
        #expect(!follower.outputText.contains("marker-X"))

        let verified = try cli.run(["verify"])
        #expect(verified.status != 0)
        #expect(verified.stdout.contains("position \(position): checksum mismatch"), "\(verified.stdout)")

        // An export to a file stops before the damaged event, so an import
        // of what it wrote cannot store the damage under a fresh checksum.
        let file = scratch.path + "/damaged.jsonl"
        let exported = try cli.run(["export", "--out", file])
        #expect(exported.status == 1)
        #expect(exported.stderr.contains(named), "\(exported.stderr)")
        let written = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        #expect(!written.contains("marker-X"))
        #expect(written.split(separator: "\n").count < position)
    }
}
