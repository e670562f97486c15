import Foundation
import JobLedgerTestSupport
import Testing

/// Three processes run random job commands on one ledger with durable
/// commits (`StoreProbe random-jobs`). Again and again one of them, chosen
/// at random, is killed with SIGKILL at a random moment and a new one takes
/// its place; after every kill the others are paused between two commands
/// and the ledger, opened afresh, must pass ``JobCrashLoopCheck``.
///
/// The ordinary run aims at 30 kills and stops early, after at least 10,
/// should it take more than 25 seconds. `JOBLEDGER_CRASH_KILLS=300` asks for
/// a longer run without a time budget, reporting progress on standard error.
@Suite struct JobCrashLoopTests {
    static let processes = 3
    /// Jobs each process works on at a time.
    static let window = 8

    /// The kills asked for with `JOBLEDGER_CRASH_KILLS`.
    static let requestedKills: Int? = {
        let text = ProcessInfo.processInfo.environment["JOBLEDGER_CRASH_KILLS"] ?? ""
        return Int(text).map { max(1, $0) }
    }()
    static let kills = requestedKills ?? 30
    static let budget: Duration? = requestedKills == nil ? .seconds(25) : nil

    struct ProbeFailed: Error, CustomStringConvertible {
        let description: String
    }

    @Test("processes running random job commands, killed again and again, leave whole commands and valid job histories",
          .timeLimit(.minutes(120)))
    func killedJobProcessesLeaveWholeCommandsAndValidHistories() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let ledger = TemporaryLedger("job-crash-loop")
        var launched = 0
        func launch() throws -> ChildProcess {
            launched += 1
            let seed = UInt64.random(in: 1...UInt64(Int32.max))
            return try ChildProcess(
                probe: ["random-jobs", ledger.path, "\(seed)", "\(Self.window)"], name: "jobs-\(launched)-seed-\(seed)")
        }
        var probes = try (0..<Self.processes).map { _ in try launch() }
        var acks: [CrashLoopAck] = []
        var survived = 0

        for round in 1...Self.kills {
            if let budget = Self.budget, survived >= 10, clock.now - started > budget { break }
            let victim = Int.random(in: 0..<probes.count)
            acks += try await Self.kill(probes[victim], round: round)
            for (index, probe) in probes.enumerated() where index != victim {
                acks += try await Self.pause(probe, round: round)
            }
            let check = try JobCrashLoopCheck(path: ledger.path, acknowledged: acks)
            for problem in check.problems.prefix(20) {
                Issue.record("after kill \(round) of \(probes[victim].name): \(problem)")
            }
            if !check.problems.isEmpty {
                for probe in probes { probe.kill() }
                return
            }
            survived += 1
            if Self.requestedKills != nil && round % 25 == 0 {
                let elapsed = (clock.now - started).components.seconds
                FileHandle.standardError.write(Data(
                    "crash loop: \(round) kills, \(acks.count) acknowledgements, \(check.events) events, \(elapsed) s\n".utf8))
            }
            probes[victim] = try launch()
            for (index, probe) in probes.enumerated() where index != victim {
                try probe.send("resume")
            }
        }

        for probe in probes {
            try probe.send("stop")
        }
        for probe in probes {
            let exit = await probe.waitForExit(timeout: .seconds(20))
            #expect(exit == .exited(0), "\(probe.name) \(exit); stderr: \(probe.errorText)")
            let (lines, _) = await probe.remainingLines(timeout: .seconds(5))
            acks += lines.compactMap(CrashLoopAck.init(line:))
        }
        let final = try JobCrashLoopCheck(path: ledger.path, acknowledged: acks)
        for problem in final.problems.prefix(20) {
            Issue.record("after the last processes stopped: \(problem)")
        }

        #expect(survived >= min(Self.kills, 10))
        let results = acks.flatMap(\.results)
        let changes = results.filter { $0.version != nil }.count
        #expect(changes > survived, "the processes changed hardly any job")
        // Every result acknowledged is one audit entry; the entries beyond
        // them belong to commands that committed but whose process was
        // killed before it answered.
        let unacknowledged = final.audits - results.count
        let seconds = (clock.now - started).components.seconds
        let outcomes = Dictionary(grouping: acks.flatMap(\.results), by: \.outcome.rawValue)
            .map { "\($0.key)=\($0.value.count)" }.sorted().joined(separator: " ")
        print("crash loop: \(survived) kills survived, \(acks.count) commands acknowledged "
            + "(\(changes) of them changed a job); \(unacknowledged) commands committed without an acknowledgement; "
            + "\(final.events) events, \(final.jobs) jobs, "
            + "\(launched) processes, \(seconds) s; \(outcomes)")
    }

    /// Waits for a few acknowledgements of `probe` (none at times, so that
    /// some kills land while it opens the ledger), kills it after a random
    /// delay, and returns every acknowledgement it printed.
    static func kill(_ probe: ChildProcess, round: Int) async throws -> [CrashLoopAck] {
        var acks: [CrashLoopAck] = []
        let wanted = Int.random(in: 0...30)
        while acks.count < wanted {
            acks.append(try await nextAck(of: probe, round: round))
        }
        let (rest, context) = try await probe.killAfterRandomDelay(
            upTo: 15_000, context: "kill \(round): \(probe.name), after ack \(acks.count)")
        // Acknowledgements printed between the last one read and the kill count too.
        for line in rest {
            acks.append(try #require(CrashLoopAck(line: line), "\(context): unexpected output '\(line)'"))
        }
        return acks
    }

    /// Asks `probe` to pause between two commands; returns the
    /// acknowledgements it printed before it did.
    static func pause(_ probe: ChildProcess, round: Int) async throws -> [CrashLoopAck] {
        try probe.send("pause")
        var acks: [CrashLoopAck] = []
        while true {
            let line = await probe.nextLine(timeout: .seconds(20))
            if line == .line("paused") { return acks }
            guard case .line(let text) = line, let ack = CrashLoopAck(line: text) else {
                throw ProbeFailed(description: "kill \(round): \(probe.name) did not pause: \(line); stderr: \(probe.errorText)")
            }
            acks.append(ack)
        }
    }

    static func nextAck(of probe: ChildProcess, round: Int) async throws -> CrashLoopAck {
        let line = await probe.nextLine(timeout: .seconds(20))
        guard case .line(let text) = line, let ack = CrashLoopAck(line: text) else {
            probe.kill()
            throw ProbeFailed(description: "kill \(round): expected an ack of \(probe.name), got \(line); stderr: \(probe.errorText)")
        }
        return ack
    }
}
