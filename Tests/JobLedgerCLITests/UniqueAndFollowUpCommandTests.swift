import Foundation
import Testing

/// Unique keys, batch follow-ups and refused type settings from the
/// command line, on a real ledger file through the real executable.
@Suite struct UniqueAndFollowUpCommandTests {
    @Test func aSubmitWithAHeldUniqueKeyPrintsDuplicateAndTheHolder() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let base = ["submit", "--type", "report", "--owner", "alice", "--org", "acme", "--unique", "december", "--unique-for", "600"]
        let first = try cli.run(base + ["--id", "one"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("created"))
        let second = try cli.run(base + ["--id", "two"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("duplicate"))
        #expect(second.stdout.contains("one"))
        let json = try cli.run(base + ["--id", "three", "--json"])
        #expect(json.json?["duplicate"] as? Bool == true)
        #expect((json.json?["job"] as? [String: Any])?["id"] as? String == "one")
        let bad = try cli.run(["submit", "--type", "report", "--owner", "alice", "--org", "acme", "--unique", " x"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unique key"))
        let window = try cli.run(["submit", "--type", "report", "--owner", "alice", "--org", "acme", "--unique", "x", "--unique-for", "0"])
        #expect(window.status == 2)
        #expect(window.stderr.contains("unique window"))
        let history = try cli.run(["history", "one", "--json"])
        #expect(history.stdout.contains("december"))
    }

    @Test func batchThenEnqueuesTheFollowUpWhenTheBatchEnds() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "p1", "--type", "part", "--owner", "alice", "--org", "acme", "--batch", "nb"])
        let declared = try cli.run([
            "batch", "then", "nb", "--type", "summary", "--payload", #"{"to":"ops"}"#, "--actor", "alice", "--org", "acme", "--json",
        ])
        #expect(declared.status == 0, "\(declared.stderr)")
        #expect(declared.json?["declared"] as? Bool == true)
        #expect(declared.json?["job"] is NSNull)
        _ = try cli.run(["kill-batch", "nb", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "stop"])
        let shown = try cli.run(["batch", "show", "nb", "--json"])
        let job = try #require(shown.json?["job"] as? [String: Any])
        #expect(job["id"] as? String == "then:nb")
        #expect((job["payload"] as? [String: Any])?["outcomes"] as? [String: String] == ["p1": "killed"])
        #expect(try cli.run(["batch", "show", "other"]).status == 4)
    }

    @Test func aUsersQueuePauseExitsForbiddenAndIsAudited() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "a", "--type", "t", "--owner", "alice", "--org", "acme"])
        let refused = try cli.run(["queue", "pause", "t", "--reason", "mine", "--actor", "alice", "--org", "acme"])
        #expect(refused.status == 5)
        let events = try cli.run(["events", "--stream", "settings-audit"])
        #expect(events.stdout.contains("\"pause\""))
        #expect(events.stdout.contains("forbidden"))
    }
}
