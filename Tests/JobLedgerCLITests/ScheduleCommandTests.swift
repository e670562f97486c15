import Dispatch
import Foundation
import Synchronization
import Testing

/// Recurring schedules from the command line, fired by many processes at
/// once as several servers and cron'd sweeps would.
@Suite struct ScheduleCommandTests {
    @Test func eightProcessesFiringTheSameOccurrenceAtOnceSubmitOneJob() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        // A whole second ten minutes ago: the occurrence due now, the only one.
        let formatter = ISO8601DateFormatter()
        let start = formatter.string(from: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 600).rounded(.down)))
        let set = try cli.run([
            "schedule", "set", "hourly", "--type", "report", "--every", "1h", "--start", start,
            "--actor", "root", "--role", "admin", "--org", "acme", "--json",
        ])
        #expect(set.status == 0, "\(set.stderr)")

        let outcomes = Mutex<[CommandLineRunner.Outcome]>([])
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                if let outcome = try? cli.run(["sweep", "--json"]) { outcomes.withLock { $0.append(outcome) } }
            }.start()
        }
        group.wait()
        let all = outcomes.withLock { $0 }
        #expect(all.count == 8 && all.allSatisfy { $0.status == 0 }, "\(all.map(\.stderr))")
        let fired = all.flatMap { ($0.json?["fired"] as? [String]) ?? [] }
        let expected = "hourly." + start.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        // One process created the job; the others found it.
        #expect(fired == [String(expected)], "\(fired)")
        let listed = try #require(try cli.run(["list", "--type", "report", "--json"]).json?["jobs"] as? [[String: Any]])
        #expect(listed.compactMap { $0["id"] as? String } == [String(expected)])
        #expect(listed.first?["owner"] as? String == "root")

        let shown = try #require(try cli.run(["schedule", "list", "--json"]).json?["schedules"] as? [[String: Any]])
        #expect(shown.first?["name"] as? String == "hourly" && shown.first?["every"] as? Int == 3600)
        let refused = try cli.run(["schedule", "set", "x", "--type", "t", "--every", "1m", "--actor", "bob", "--role", "user", "--org", "acme"])
        #expect(refused.status == 5)
    }
}

