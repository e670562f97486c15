import Foundation
import Testing

/// `queue retain`, `scavenge`, `history --archive` and `verify --archive`,
/// through the built executable on a real ledger.
@Suite struct RetentionCommandTests {
    @Test("scavenge archives an ended job past its policy; history and verify read the archive back")
    func scavengeThenReadTheArchiveBack() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let admin = ["--actor", "root", "--role", "admin", "--org", "acme"]
        #expect(try cli.run(["submit", "--id", "j1", "--type", "email", "--owner", "ann", "--org", "acme",
                             "--payload", #"{"to":"ann@example.com"}"#]).status == 0)
        #expect(try cli.run(["submit", "--id", "j2", "--type", "email", "--owner", "ann", "--org", "acme"]).status == 0)
        let claimed = try cli.run(["claim", "--worker", "w", "--lease", "30", "--json"])
        let id = try #require((claimed.json?["job"] as? [String: Any])?["id"] as? String)
        #expect(try cli.run(["complete", id, "--worker", "w", "--attempt", "1", "--result", #"{"sent":true}"#]).status == 0)
        let archive = scratch.path + "/a.jsonl"

        #expect(try cli.run(["info", "--json"]).json?["archivedPositions"] as? Int == 0)
        let none = try cli.run(["scavenge", "--archive", archive])
        #expect(none.status == 0 && none.stdout.contains("no job type has a retention policy"))
        #expect(!FileManager.default.fileExists(atPath: archive))

        #expect(try cli.run(["queue", "retain", "email", "--after", "0s"] + admin).status == 2)
        #expect(try cli.run(["queue", "retain", "email", "--after", "1s", "--actor", "ann", "--role", "user", "--org", "acme"]).status == 5)
        let set = try cli.run(["queue", "retain", "email", "--after", "1s", "--json"] + admin)
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.json?["retentionSeconds"] as? Int == 1)
        Thread.sleep(forTimeInterval: 1.2)

        let scavenged = try cli.run(["scavenge", "--archive", archive, "--json"])
        #expect(scavenged.status == 0, "\(scavenged.stderr)")
        #expect(scavenged.json?["jobs"] as? Int == 1)  // the pending job stays
        let digest = try #require(scavenged.json?["digest"] as? String)

        #expect(try cli.run(["info", "--json"]).json?["archivedPositions"] as? Int == 6)
        let status = try cli.run(["status", id, "--json"])
        #expect(status.json?["state"] as? String == "completed")
        let cancel = try cli.run(["cancel", id, "--reason", "late", "--actor", "ann", "--role", "user", "--org", "acme"])
        #expect(cancel.status == 0 && cancel.stdout.contains("already_completed"))
        let live = try cli.run(["history", id, "--json"]).stdout
        #expect(live.contains(#""type":"JobArchived""#) && !live.contains(#""type":"JobCompleted""#))
        let whole = try cli.run(["history", id, "--archive", archive, "--json"]).stdout
        #expect(whole.contains(#""type":"JobSubmitted""#) && whole.contains(#""type":"JobCompleted""#))

        let verified = try cli.run(["verify", "--archive", archive, "--json"])
        #expect(verified.status == 0, "\(verified.stderr)")
        let checked = try #require((verified.json?["archives"] as? [[String: Any]])?.first)
        #expect(checked["digest"] as? String == digest)

        // The archive is never overwritten, and a changed one does not prove out.
        #expect(try cli.run(["scavenge", "--archive", archive]).status == 2)
        var text = try String(contentsOfFile: archive, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"actor\":\"ann\"", with: "\"actor\":\"eve\"")
        let forged = scratch.path + "/forged.jsonl"
        try text.write(toFile: forged, atomically: true, encoding: .utf8)
        let refused = try cli.run(["verify", "--archive", forged])
        #expect(refused.status == 2 && refused.stderr.contains("archive"))
    }
}
