import Foundation
import Testing

/// `submit --personal` and `erase`, through the built executable on a real ledger.
@Suite struct ErasureCommandTests {
    @Test("erase shows personal fields as erased, keeps the log verifying with the same digest, and says so twice")
    func eraseKeepsTheLogAndIsIdempotent() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let submitted = try cli.run([
            "submit", "--id", "p1", "--type", "email", "--owner", "ann", "--org", "acme", "--json",
            "--payload", #"{"email":"ann@example.com","name":"Ann","n":3}"#, "--personal", "email, name",
        ])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let job = try #require(submitted.json?["job"] as? [String: Any])
        #expect((job["payload"] as? [String: Any])?["email"] as? String == "ann@example.com")
        let export = try cli.run(["export"])
        #expect(!export.stdout.contains("ann@example.com"))
        #expect(export.stdout.contains("$sealed"))
        let digest = try cli.run(["digest", "--json"]).json?["digest"] as? String
        let head = try cli.run(["digest", "--json"]).json?["position"] as? Int

        let erased = try cli.run(["erase", "--owner", "ann", "--org", "acme", "--reason", "request 7", "--json"])
        #expect(erased.status == 0, "\(erased.stderr)")
        #expect(erased.json?["outcome"] as? String == "erased")
        let status = try cli.run(["status", "p1", "--json"])
        let payload = try #require(status.json?["payload"] as? [String: Any])
        #expect((payload["email"] as? [String: Any])?["$erased"] as? Bool == true)
        #expect((payload["name"] as? [String: Any])?["$erased"] as? Bool == true)
        #expect(payload["n"] as? Int == 3)
        #expect(!(try cli.run(["history", "p1", "--json"]).stdout.contains("ann@example.com")))
        #expect(try cli.run(["digest", "--at", "\(head ?? 0)", "--json"]).json?["digest"] as? String == digest)
        #expect(try cli.run(["verify"]).status == 0)
        #expect(!(try cli.run(["export"]).stdout.contains("ann@example.com")))

        let again = try cli.run(["erase", "--owner", "ann", "--org", "acme"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already erased"))
    }

    @Test("an export carries sealed values and the erasure records; imported elsewhere, without the keys, the fields read as erased")
    func exportCarriesNoKeys() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run([
            "submit", "--id", "p1", "--type", "email", "--owner", "ann", "--org", "acme",
            "--payload", #"{"email":"ann@example.com"}"#, "--personal", "email",
        ])
        _ = try cli.run(["erase", "--owner", "bob", "--org", "acme"])
        let file = scratch.path + "/events.jsonl"
        #expect(try cli.run(["export", "--out", file]).status == 0)
        #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains("ann@example.com"))
        let target = CommandLineRunner(ledgerPath: scratch.path + "/restored")
        let imported = try target.run(["import", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        let payload = try target.run(["status", "p1", "--json"]).json?["payload"] as? [String: Any]
        #expect((payload?["email"] as? [String: Any])?["$erased"] as? Bool == true)
        #expect(try target.run(["events", "--stream", "erasures", "--json"]).stdout.contains("PersonalDataErased"))
    }

    @Test("a personal field the payload lacks is bad input naming it, and nothing is written")
    func unknownPersonalFieldIsBadInput() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "keep", "--type", "t", "--owner", "ann", "--org", "acme"])
        let before = try cli.run(["info", "--json"]).json?["lastPosition"] as? Int
        let refused = try cli.run([
            "submit", "--id", "p1", "--type", "t", "--owner", "ann", "--org", "acme",
            "--payload", #"{"email":"ann@example.com"}"#, "--personal", "emial",
        ])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("emial"))
        #expect(try cli.run(["info", "--json"]).json?["lastPosition"] as? Int == before)
    }
}
