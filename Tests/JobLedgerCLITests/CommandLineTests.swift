import Foundation
import Synchronization
import Testing

@Suite struct CommandLineTests {
    static let jobKeys: Set<String> = [
        "id", "type", "state", "owner", "org", "batch", "payload", "priority", "attempt", "maxAttempts", "worker",
        "leaseUntil", "availableAt", "version", "submittedAt", "updatedAt", "result", "error",
    ]

    @Test func submitClaimCompleteAndStatusPrintTheJobShape() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let submitted = try cli.run(["submit", "--id", "j1", "--type", "email", "--owner", "alice", "--org", "acme",
                                     "--payload", #"{"to":"bob"}"#, "--batch", "b1", "--json"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.json?["created"] as? Bool == true)
        let job = try #require(submitted.json?["job"] as? [String: Any])
        #expect(Set(job.keys) == Self.jobKeys)
        #expect(job["state"] as? String == "pending")
        #expect(job["org"] as? String == "acme")

        let again = try cli.run(["submit", "--id", "j1", "--type", "email", "--owner", "alice", "--org", "acme", "--json"])
        #expect(again.status == 0)
        #expect(again.json?["created"] as? Bool == false)

        let claimed = try cli.run(["claim", "--worker", "w1", "--lease", "60", "--json"])
        #expect((claimed.json?["job"] as? [String: Any])?["state"] as? String == "running")
        let renewed = try cli.run(["renew", "j1", "--worker", "w1", "--attempt", "1", "--json"])
        #expect(renewed.json?["cancelRequested"] as? Bool == false)
        let completed = try cli.run(["complete", "j1", "--worker", "w1", "--attempt", "1", "--result", #"{"sent":true}"#, "--json"])
        let done = try #require(completed.json?["job"] as? [String: Any])
        #expect(done["state"] as? String == "completed")
        #expect((done["result"] as? [String: Any])?["sent"] as? Bool == true)

        let status = try cli.run(["status", "j1", "--json"])
        #expect(status.json?["state"] as? String == "completed")
        let asOf = try cli.run(["status", "j1", "--as-of", "1", "--json"])
        #expect(asOf.json?["state"] as? String == "pending")
        let none = try cli.run(["claim", "--worker", "w1", "--json"])
        #expect(none.json?["job"] is NSNull)
    }

    @Test func cancelOutcomesMapToExitCodes() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "c1", "--type", "t", "--owner", "alice", "--org", "acme"])
        _ = try cli.run(["claim", "--worker", "w"])
        _ = try cli.run(["complete", "c1", "--worker", "w", "--attempt", "1"])
        let already = try cli.run(["cancel", "c1", "--actor", "alice", "--org", "acme", "--reason", "late", "--json"])
        #expect(already.status == 0)
        #expect(already.json?["outcome"] as? String == "already_completed")
        let missing = try cli.run(["cancel", "nope", "--actor", "alice", "--org", "acme", "--reason", "x", "--json"])
        #expect(missing.status == 4)
        #expect(missing.json?["outcome"] as? String == "not_found")
        let forbidden = try cli.run(["cancel", "c1", "--actor", "eve", "--role", "admin", "--org", "globex", "--reason", "x"])
        #expect(forbidden.status == 5)
        _ = try cli.run(["submit", "--id", "c2", "--type", "t", "--owner", "alice", "--org", "acme"])
        let notAllowed = try cli.run(["retry", "c2", "--actor", "alice", "--org", "acme"])
        #expect(notAllowed.status == 6)
        let wrongWorker = try cli.run(["complete", "c2", "--worker", "w", "--attempt", "1"])
        #expect(wrongWorker.status == 6)
        #expect(wrongWorker.stderr.contains("c2"))
    }

    @Test func readingCommandsNeverCreateALedgerAndNameTheMissingPath() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for command in [["status", "x"], ["list"], ["history", "x"], ["report"], ["info"], ["rebuild", "--verify"]] {
            let outcome = try cli.run(command)
            #expect(outcome.status == 4, "\(command)")
            #expect(outcome.stderr.contains(cli.ledgerPath))
        }
        #expect(!FileManager.default.fileExists(atPath: cli.ledgerPath))
    }

    @Test func badInputExitsWithTwoAndLeavesTheLedgerUnchanged() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "ok", "--type", "t", "--owner", "alice", "--org", "acme"])
        let before = try cli.run(["info", "--json"]).json?["lastPosition"] as? Int
        let cases: [[String]] = [
            ["submit", "--id", "bad", "--type", "t", "--owner", "alice", "--org", "acme", "--payload", "{nope"],
            ["submit", "--id", "has space", "--type", "t", "--owner", "alice", "--org", "acme"],
            ["list", "--state", "processing"],
            ["status", "ok", "--as-of", "yesterday"],
            ["claim", "--worker", "w", "--lease", "-5"],
            ["list", "--after", "zz"],
            ["list", "--after", "00"],
            ["list", "--after", "+f"],
            ["submit", "--type", "t"],
        ]
        for arguments in cases {
            let outcome = try cli.run(arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.isEmpty)
        }
        #expect(try cli.run(["info", "--json"]).json?["lastPosition"] as? Int == before)
    }

    @Test func listHistoryKillBatchReportAndRebuildSpeakJSON() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for index in 0..<5 {
            _ = try cli.run(["submit", "--id", "k\(index)", "--type", "t", "--owner", "alice", "--org", "acme", "--batch", "night"])
        }
        _ = try cli.run(["claim", "--worker", "w"])
        _ = try cli.run(["complete", "k0", "--worker", "w", "--attempt", "1"])
        let killed = try cli.run(["kill-batch", "night", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "stop", "--json"])
        let results = try #require(killed.json?["results"] as? [[String: Any]])
        #expect(results.count == 5)
        #expect(results.filter { $0["outcome"] as? String == "killed" }.count == 4)
        #expect(results.first { $0["id"] as? String == "k0" }?["outcome"] as? String == "already_completed")

        let page = try cli.run(["list", "--state", "killed", "--limit", "3", "--json"])
        #expect((page.json?["jobs"] as? [Any])?.count == 3)
        let next = try #require(page.json?["next"] as? String)
        let rest = try cli.run(["list", "--state", "killed", "--limit", "3", "--after", next, "--json"])
        #expect((rest.json?["jobs"] as? [Any])?.count == 1)
        #expect(rest.json?["next"] is NSNull)

        let history = try cli.run(["history", "k1", "--json"])
        let events = try #require(history.json?["events"] as? [[String: Any]])
        for key in ["position", "version", "type", "recordedAt", "actor", "data", "stateBefore", "stateAfter"] {
            #expect(events.allSatisfy { $0[key] != nil }, "missing \(key)")
        }
        #expect(events.last?["type"] as? String == "AuditRecorded")

        let report = try cli.run(["report", "--json"])
        #expect((report.json?["byState"] as? [String: Int])?["killed"] == 4)
        let csv = try cli.run(["report", "--format", "csv"])
        #expect(csv.stdout.contains("state,jobs"))
        let verify = try cli.run(["rebuild", "--verify", "--json"])
        #expect(verify.status == 0)
        #expect((verify.json?["differences"] as? [Any])?.isEmpty == true)
        let help = try cli.run(["cancel", "--help"])
        #expect(help.stdout.contains("Example:"))
    }

    @Test func concurrentClaimsFromSeveralProcessesClaimEachJobOnce() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for index in 0..<12 {
            _ = try cli.run(["submit", "--id", "q\(index)", "--type", "t", "--owner", "alice", "--org", "acme"])
        }
        let claimed = LockedList()
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            if let outcome = try? cli.run(["claim", "--worker", "w\(worker)", "--json"]),
               let id = (outcome.json?["job"] as? [String: Any])?["id"] as? String {
                claimed.append(id)
            }
        }
        #expect(claimed.values.count == 12)
        #expect(Set(claimed.values).count == 12)
    }
}

/// A list appended to from several threads.
final class LockedList: Sendable {
    private let items = Mutex<[String]>([])
    func append(_ item: String) { items.withLock { $0.append(item) } }
    var values: [String] { items.withLock { $0 } }
}
