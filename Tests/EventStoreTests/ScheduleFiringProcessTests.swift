import EventStore
import Foundation
import JobLedger
import Testing

/// Two schedulers in separate processes, on one ledger, over 1,000 ticks
/// of a clock the test moves: each tick's job is submitted exactly once.
@Suite struct ScheduleFiringProcessTests {
    static let ticks = 1_000
    static let start = 1_800_000_000.0

    @Test(.timeLimit(.minutes(3)))
    func twoSchedulersInSeparateProcessesSubmitEachTickExactlyOnce() async throws {
        let ledger = TemporaryLedger()
        var options = JobLedgerOptions()
        options.store.durability = .noSyncForTestsAndBenchmarks
        do {
            let jobs = try JobLedger(path: ledger.path, options: options)
            try await jobs.setSchedule(
                RecurringSchedule(name: "tick", type: "t", everySeconds: 10, start: Date(timeIntervalSince1970: Self.start)),
                by: Actor(id: "root", role: .admin, organisation: "acme"))
        }
        let schedulers = try (0..<2).map { index in
            try ChildProcess(probe: ["fire-schedules", ledger.path, String(Self.start)], name: "scheduler-\(index)")
        }
        for scheduler in schedulers {
            #expect(await scheduler.nextLine(timeout: .seconds(30)) == .line("ready"), "\(scheduler.errorText)")
        }
        // Both processes get each tick at once and race to submit its job.
        var created: [String: Int] = [:]
        for tick in 0..<Self.ticks {
            let seconds = Int(Self.start) + tick * 10
            for scheduler in schedulers { try scheduler.send("tick \(seconds)") }
            for scheduler in schedulers {
                guard case .line(let line) = await scheduler.nextLine(timeout: .seconds(30)) else {
                    Issue.record("\(scheduler.name) did not answer tick \(tick): \(scheduler.errorText)")
                    return
                }
                let parts = line.split(separator: " ")
                #expect(parts.count == 3 && parts[0] == "fired" && parts[1] == "\(seconds)", "\(line)")
                if parts.count == 3, parts[2] != "-" {
                    for id in parts[2].split(separator: ",") { created[String(id), default: 0] += 1 }
                }
            }
        }
        for scheduler in schedulers { try scheduler.send("stop") }

        // One job per tick, each created by one process only.
        #expect(created.count == Self.ticks)
        #expect(created.values.allSatisfy { $0 == 1 })
        let jobs = try JobLedger(path: ledger.path, options: options)
        var listed: [String] = []
        var cursor: String? = nil
        repeat {
            let page = try jobs.list(JobQuery(type: "t"), limit: 500, after: cursor)
            listed += page.jobs.map(\.id)
            cursor = page.next
        } while cursor != nil
        #expect(Set(listed) == Set(created.keys))
        #expect(listed.count == Self.ticks)
    }
}
