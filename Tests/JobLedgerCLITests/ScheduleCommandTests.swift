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

    @Test func aCronScheduleRoundTripsThroughTheCommandLineAndBadOnesChangeNothing() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let admin = ["--actor", "root", "--role", "admin", "--org", "acme"]
        let set = try cli.run(["schedule", "set", "weekdays", "--type", "digest", "--cron", "30 7 * * MON-FRI", "--zone", "America/New_York", "--json"] + admin)
        #expect(set.status == 0, "\(set.stderr)")
        let shown = try #require((try cli.run(["schedule", "list", "--json"]).json?["schedules"] as? [[String: Any]])?.first)
        #expect(shown["cron"] as? String == "30 7 * * MON-FRI" && shown["timeZone"] as? String == "America/New_York")
        #expect(shown["every"] == nil)
        // 07:30 in New York is 11:30 or 12:30 UTC, on a weekday.
        let next = try #require(shown["next"] as? String)
        let nextDate = try #require(ISO8601DateFormatter().date(from: next.replacingOccurrences(of: ".000Z", with: "Z")))
        var newYork = Calendar(identifier: .gregorian)
        newYork.timeZone = try #require(TimeZone(identifier: "America/New_York"))
        let local = newYork.dateComponents([.hour, .minute, .weekday], from: nextDate)
        #expect(local.hour == 7 && local.minute == 30 && (2...6).contains(local.weekday ?? 0), "\(next)")
        #expect(nextDate > Date() && nextDate < Date() + 4 * 86_400)
        // Without a start, the start is the next whole second.
        let start = try #require(shown["start"] as? String)
        #expect(start.hasSuffix(".000Z"), "\(start)")
        let text = try cli.run(["schedule", "list"])
        #expect(text.stdout.contains("cron '30 7 * * MON-FRI' in America/New_York") && text.stdout.contains("next 20"), "\(text.stdout)")

        let periodic = try cli.run(["schedule", "set", "tick", "--type", "t", "--every", "1m", "--json"] + admin)
        let periodicStart = try #require((periodic.json?["schedules"] as? [[String: Any]])?.first?["start"] as? String)
        #expect(periodicStart.hasSuffix(".000Z"), "\(periodicStart)")

        for (arguments, fault) in [
            (["--cron", "0 0 * * 8"], "day-of-week"),
            (["--cron", "0 0 31 2 *"], "never fires"),
            (["--cron", "@sometimes"], "macro"),
            (["--cron", "0 0 * * *", "--zone", "Atlantis/Capital"], "Atlantis/Capital"),
            (["--cron", "0 0 * * *", "--every", "1h"], "exactly one"),
            (["--every", "1h", "--zone", "Europe/Paris"], "--zone"),
            ([], "exactly one"),
        ] {
            let refused = try cli.run(["schedule", "set", "bad", "--type", "t"] + arguments + admin)
            #expect(refused.status == 2 && refused.stderr.contains(fault), "\(arguments): \(refused.status) \(refused.stderr)")
        }
        let names = (try cli.run(["schedule", "list", "--json"]).json?["schedules"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["tick", "weekdays"])
    }
}
