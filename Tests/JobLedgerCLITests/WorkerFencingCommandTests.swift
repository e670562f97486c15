import Foundation
import Testing

/// Worker commands act for the attempt the worker names, never for
/// whatever attempt the job is at now.
@Suite struct WorkerFencingCommandTests {
    @Test func workerCommandsWithoutAnAttemptAreRefusedAndChangeNothing() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "w1", "--type", "t", "--owner", "alice", "--org", "acme"])
        let claimed = try cli.run(["claim", "--worker", "w", "--json"])
        #expect((claimed.json?["job"] as? [String: Any])?["attempt"] as? Int == 1)
        let before = try cli.run(["info", "--json"]).json?["lastPosition"] as? Int
        for command in [
            ["renew", "w1", "--worker", "w"], ["complete", "w1", "--worker", "w"],
            ["fail", "w1", "--worker", "w", "--error", "x"], ["ack-cancel", "w1", "--worker", "w"],
        ] {
            let outcome = try cli.run(command)
            #expect(outcome.status == 2, "\(command)")
            #expect(outcome.stderr.contains("--attempt"), "\(command)")
        }
        #expect(try cli.run(["info", "--json"]).json?["lastPosition"] as? Int == before)
    }

    @Test func aStaleWorkerNamingItsOldAttemptIsFencedAndTheCurrentOneIsNot() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "s", "--type", "t", "--owner", "alice", "--org", "acme"])
        _ = try cli.run(["claim", "--worker", "w"])
        _ = try cli.run(["fail", "s", "--worker", "w", "--attempt", "1", "--error", "broken"])
        _ = try cli.run(["retry", "s", "--actor", "alice", "--org", "acme"])
        let second = try cli.run(["claim", "--worker", "w", "--json"])
        #expect((second.json?["job"] as? [String: Any])?["attempt"] as? Int == 2)
        let stale = try cli.run(["complete", "s", "--worker", "w", "--attempt", "1"])
        #expect(stale.status == 6)
        #expect(try cli.run(["status", "s", "--json"]).json?["state"] as? String == "running")
        let current = try cli.run(["complete", "s", "--worker", "w", "--attempt", "2", "--json"])
        #expect(current.status == 0)
        #expect((current.json?["job"] as? [String: Any])?["state"] as? String == "completed")
    }

    @Test func claimOnAMistypedLedgerPathCreatesNothing() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let outcome = try cli.run(["claim", "--worker", "w"])
        #expect(outcome.status == 4)
        #expect(outcome.stderr.contains(cli.ledgerPath))
        #expect(!FileManager.default.fileExists(atPath: cli.ledgerPath))
    }

    @Test func killBatchExitsFourForAnUnknownBatchFiveWhenEveryJobIsForbiddenAndZeroWhenMixed() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for index in 0..<3 {
            _ = try cli.run(["submit", "--id", "b\(index)", "--type", "t", "--owner", "alice", "--org", "acme", "--batch", "night"])
        }
        let unknown = try cli.run(["kill-batch", "nope", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "x"])
        #expect(unknown.status == 4)
        #expect(unknown.stderr.contains("nope"))
        let forbidden = try cli.run(
            ["kill-batch", "night", "--actor", "eve", "--role", "admin", "--org", "globex", "--reason", "x", "--json"])
        #expect(forbidden.status == 5)
        let outcomes = (forbidden.json?["results"] as? [[String: Any]])?.compactMap { $0["outcome"] as? String }
        #expect(outcomes == ["forbidden", "forbidden", "forbidden"])
        #expect(try cli.run(["status", "b0", "--json"]).json?["state"] as? String == "pending")

        _ = try cli.run(["kill", "b0", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "x"])
        let mixed = try cli.run(
            ["kill-batch", "night", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "x", "--json"])
        #expect(mixed.status == 0)
        let mixedOutcomes = (mixed.json?["results"] as? [[String: Any]])?.compactMap { $0["outcome"] as? String }
        #expect(mixedOutcomes == ["already_killed", "killed", "killed"])
    }
}
