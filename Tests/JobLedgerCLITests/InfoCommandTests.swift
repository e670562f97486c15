import Foundation
import JobLedger
import JobLedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `jobledger info` looking at a reader that another process holds.
@Suite struct InfoCommandTests {
    @Test func infoNamesTheOldestReaderOfAnotherProcessAndThePagesItHoldsBack() async throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        #expect(try cli.run(["submit", "--id", "j0", "--type", "t", "--owner", "alice", "--org", "acme"]).status == 0)
        var options = JobLedgerOptions()
        options.store.durability = .noSyncForTestsAndBenchmarks
        let jobs = try JobLedger(path: cli.ledgerPath, options: options)
        let owner = Actor(id: "alice", role: .user, organisation: "acme")

        // This process holds a snapshot; the command runs in another.
        let snapshot = HeldSnapshot(try #require(jobs.embeddedStore))
        try await snapshot.waitUntilHeld()
        _ = try await jobs.submit(JobSubmission(id: "j1", type: "t"), by: owner)
        try await Task.sleep(for: .milliseconds(300))
        for index in 2...10 { _ = try await jobs.submit(JobSubmission(id: "j\(index)", type: "t"), by: owner) }

        let held = try cli.run(["info", "--json"])
        let facts = try #require(held.json, "\(held.stderr)")
        let oldest = try #require(facts["oldestReader"] as? [String: Any])
        #expect(oldest["pid"] as? Int == Int(getpid()))
        #expect(oldest["commitsBehind"] as? Int == 10)
        #expect(oldest["ageExact"] as? Bool == true)
        #expect(try #require(oldest["heldAtLeastSeconds"] as? Double) >= 0.3)
        #expect(facts["readerSlotsUsed"] as? Int == 1)
        #expect(facts["readerSlots"] as? Int == 126)
        let free = try #require(facts["freePages"] as? Int)
        #expect(try #require(facts["reusableFreePages"] as? Int) < free)
        #expect(facts["usedPages"] as? Int == (facts["filePages"] as? Int).map { $0 - free })
        let text = try cli.run(["info"]).stdout
        #expect(text.contains("oldestReader            pid \(getpid()), 10 commits behind, held "))

        try await snapshot.release()
        let released = try #require(try cli.run(["info", "--json"]).json)
        #expect(released["oldestReader"] is NSNull)
        #expect(released["readerSlotsUsed"] as? Int == 0)
        #expect(try cli.run(["info"]).stdout.contains("oldestReader            none"))
    }

    @Test func withEverySlotTakenInfoStillAnswersAndOtherCommandsSayWhy() async throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        // Opened here first, so the ledger's reader table has two slots.
        var options = JobLedgerOptions()
        options.store.durability = .noSyncForTestsAndBenchmarks
        options.store.maxReaders = 2
        let jobs = try JobLedger(path: cli.ledgerPath, options: options)
        _ = try await jobs.submit(JobSubmission(id: "j0", type: "t"), by: Actor(id: "alice", role: .user, organisation: "acme"))

        let embedded = try #require(jobs.embeddedStore)
        let snapshots = (0..<2).map { _ in HeldSnapshot(embedded) }
        for snapshot in snapshots { try await snapshot.waitUntilHeld() }

        let busy = try cli.run(["status", "j0"])
        #expect(busy.status == 7)  // busy, not broken: a retry can succeed
        #expect(busy.stderr.contains("all 2 reader slots of the ledger are taken"))
        let info = try cli.run(["info", "--json"])
        let facts = try #require(info.json, "\(info.stderr)")
        #expect(facts["readerSlots"] as? Int == 2)
        #expect(facts["readerSlotsUsed"] as? Int == 2)
        #expect(facts["freePages"] is NSNull)
        #expect(facts["lastPosition"] is NSNull)
        let oldest = try #require(facts["oldestReader"] as? [String: Any])
        #expect(oldest["pid"] as? Int == Int(getpid()))
        #expect(oldest["heldAtLeastSeconds"] is NSNull)

        for snapshot in snapshots { try await snapshot.release() }
        #expect(try cli.run(["status", "j0"]).status == 0)
    }
}
