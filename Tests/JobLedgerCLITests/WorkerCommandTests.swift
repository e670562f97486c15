import Foundation
import Testing

@Suite struct WorkerCommandTests {
    @Test func failRetriesThenFailsAndKillAndSweepAnswerWithTheirShapes() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "f", "--type", "t", "--owner", "alice", "--org", "acme", "--max-attempts", "2"])
        _ = try cli.run(["claim", "--worker", "w"])
        let retrying = try cli.run(["fail", "f", "--worker", "w", "--attempt", "1", "--error", "flaky", "--retryable", "--json"])
        #expect((retrying.json?["job"] as? [String: Any])?["state"] as? String == "pending")
        #expect((retrying.json?["job"] as? [String: Any])?["error"] as? String == "flaky")

        _ = try cli.run(["submit", "--id", "k", "--type", "t", "--owner", "alice", "--org", "acme", "--priority", "5"])
        let killedByOwner = try cli.run(["kill", "k", "--actor", "alice", "--org", "acme", "--reason", "x"])
        #expect(killedByOwner.status == 5)
        let killed = try cli.run(["kill", "k", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "runaway", "--json"])
        #expect(killed.json?["outcome"] as? String == "killed")
        let retried = try cli.run(["retry", "k", "--actor", "alice", "--org", "acme", "--json"])
        #expect(retried.json?["outcome"] as? String == "retried")

        let short = try cli.run(["claim", "--worker", "w2", "--lease", "0.05", "--json"])
        let id = try #require((short.json?["job"] as? [String: Any])?["id"] as? String)
        usleep(150_000)
        let swept = try cli.run(["sweep", "--json"])
        #expect(swept.json?["expired"] as? [String] == [id])
        let late = try cli.run(["complete", id, "--worker", "w2", "--attempt", "1"])
        #expect(late.status == 6)
    }

    @Test func ackCancelEndsARunningJobCancelled() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "a", "--type", "t", "--owner", "alice", "--org", "acme"])
        _ = try cli.run(["claim", "--worker", "w"])
        let early = try cli.run(["ack-cancel", "a", "--worker", "w", "--attempt", "1"])
        #expect(early.status == 6)  // nobody asked yet
        _ = try cli.run(["cancel", "a", "--actor", "alice", "--org", "acme", "--reason", "stop"])
        let acked = try cli.run(["ack-cancel", "a", "--worker", "w", "--attempt", "1", "--json"])
        #expect((acked.json?["job"] as? [String: Any])?["state"] as? String == "cancelled")
        let verify = try cli.run(["verify", "--json"])
        #expect(verify.status == 0)
        #expect((verify.json?["problems"] as? [Any])?.isEmpty == true)
    }
}

@Suite struct ConflictingSubmissionCommandTests {
    @Test func anIdTakenByAnotherSubmissionExitsSixAsHTTPAnswers409AndWritesNothing() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "s", "--type", "t", "--owner", "alice", "--org", "acme"])
        let same = try cli.run(["submit", "--id", "s", "--type", "t", "--owner", "alice", "--org", "acme", "--json"])
        #expect(same.status == 0)
        #expect(same.json?["created"] as? Bool == false)
        let otherType = try cli.run(["submit", "--id", "s", "--type", "u", "--owner", "alice", "--org", "acme"])
        #expect(otherType.status == 6)
        #expect(otherType.stderr.contains("submitted differently"))
        let otherOwner = try cli.run(["submit", "--id", "s", "--type", "t", "--owner", "bob", "--org", "acme"])
        #expect(otherOwner.status == 6)
        let job = try cli.run(["status", "s", "--json"]).json
        #expect(job?["type"] as? String == "t")
        #expect(job?["owner"] as? String == "alice")
        #expect(job?["version"] as? Int == 1)
    }
}
