import Foundation
import Testing

/// Scheduling, timeouts, dependencies and type settings from the command
/// line, on a real ledger file through the real executable.
@Suite struct JobFeatureCommandTests {
    @Test func submitWithADelayATimeoutAndADependencyPrintsTheNewFields() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "first", "--type", "t", "--owner", "alice", "--org", "acme"])
        let later = try cli.run([
            "submit", "--id", "later", "--type", "t", "--owner", "alice", "--org", "acme", "--delay", "3600", "--json",
        ])
        #expect(later.status == 0, "\(later.stderr)")
        let laterJob = try #require(later.json?["job"] as? [String: Any])
        #expect(laterJob["runAt"] is String)
        #expect(laterJob["runAt"] as? String == laterJob["availableAt"] as? String)
        let waiting = try cli.run([
            "submit", "--id", "next", "--type", "t", "--owner", "alice", "--org", "acme", "--timeout", "1.5",
            "--after", "first", "--json",
        ])
        let waitingJob = try #require(waiting.json?["job"] as? [String: Any])
        #expect(waitingJob["timeout"] as? Double == 1.5)
        #expect(waitingJob["after"] as? [String] == ["first"])
        #expect(waitingJob["waitingFor"] as? [String] == ["first"])

        let scheduled = try cli.run(["list", "--scheduled", "--json"])
        #expect(((scheduled.json?["jobs"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == ["later"])
        let table = try cli.run(["list"])
        #expect(table.stdout.contains("scheduled 2"))
        #expect(table.stdout.contains("waiting for first"))

        // Only the first is claimable; once it completes, the next is.
        let claimed = try cli.run(["claim", "--worker", "w1", "--json"])
        #expect((claimed.json?["job"] as? [String: Any])?["id"] as? String == "first")
        #expect(try cli.run(["claim", "--worker", "w1", "--json"]).json?["job"] is NSNull)
        _ = try cli.run(["complete", "first", "--worker", "w1", "--attempt", "1"])
        let next = try cli.run(["claim", "--worker", "w1", "--json"])
        let nextJob = try #require(next.json?["job"] as? [String: Any])
        #expect(nextJob["id"] as? String == "next")
        #expect(nextJob["deadline"] is String)
    }

    @Test func listByTagFindsTaggedJobs() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "a", "--type", "t", "--owner", "alice", "--org", "acme", "--tag", "eu", "--tag", "vip"])
        _ = try cli.run(["submit", "--id", "b", "--type", "t", "--owner", "alice", "--org", "acme"])
        let listed = try cli.run(["list", "--tag", "vip", "--json"])
        let jobs = (listed.json?["jobs"] as? [[String: Any]]) ?? []
        #expect(jobs.map { $0["id"] as? String } == ["a"])
        #expect(jobs.first?["tags"] as? [String] == ["eu", "vip"])
    }

    @Test func badSchedulingInputIsRefusedWithExitTwoAndCreatesNothing() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let both = try cli.run([
            "submit", "--type", "t", "--owner", "alice", "--org", "acme", "--at", "2030-01-01T00:00:00Z", "--delay", "5",
        ])
        #expect(both.status == 2)
        #expect(both.stderr.contains("delay"))
        let timeout = try cli.run(["submit", "--type", "t", "--owner", "alice", "--org", "acme", "--timeout", "0"])
        #expect(timeout.status == 2)
        #expect(timeout.stderr.contains("timeout"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/ledger"))
        _ = try cli.run(["submit", "--id", "a", "--type", "t", "--owner", "alice", "--org", "acme"])
        let missing = try cli.run(["submit", "--id", "b", "--type", "t", "--owner", "alice", "--org", "acme", "--after", "nowhere"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere"))
        #expect(try cli.run(["status", "b"]).status == 4)
    }

    @Test func queueCommandsPauseResumeAndLimitAType() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "m1", "--type", "mail", "--owner", "alice", "--org", "acme"])
        _ = try cli.run(["submit", "--id", "m2", "--type", "mail", "--owner", "alice", "--org", "acme"])
        let refused = try cli.run(["queue", "pause", "mail", "--reason", "mine", "--actor", "alice", "--org", "acme"])
        #expect(refused.status == 5)
        let paused = try cli.run([
            "queue", "pause", "mail", "--reason", "smtp down", "--actor", "root", "--role", "admin", "--org", "acme", "--json",
        ])
        #expect(paused.status == 0, "\(paused.stderr)")
        #expect(paused.json?["paused"] as? Bool == true)
        #expect(try cli.run(["claim", "--worker", "w1", "--json"]).json?["job"] is NSNull)
        _ = try cli.run(["queue", "resume", "mail", "--actor", "root", "--role", "admin", "--org", "acme"])
        let limited = try cli.run([
            "queue", "limit", "mail", "--concurrency", "1", "--actor", "root", "--role", "admin", "--org", "acme", "--json",
        ])
        #expect(limited.json?["concurrency"] as? Int == 1)
        #expect((try cli.run(["claim", "--worker", "w1", "--json"]).json?["job"] as? [String: Any])?["id"] as? String == "m1")
        #expect(try cli.run(["claim", "--worker", "w2", "--json"]).json?["job"] is NSNull)
        let shown = try cli.run(["queue", "show", "mail", "--json"])
        #expect(shown.json?["concurrency"] as? Int == 1)
        #expect(shown.json?["paused"] as? Bool == false)
        let neither = try cli.run(["queue", "limit", "mail", "--actor", "root", "--role", "admin", "--org", "acme"])
        #expect(neither.status == 2)
    }
}
