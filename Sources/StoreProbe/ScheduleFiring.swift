import Foundation
import JobLedger
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock of a scheduler that the parent moves.
final class SteppedClock: Sendable {
    let now: Mutex<Date>
    init(_ start: Date) { now = Mutex(start) }
}

extension Probe {
    /// `fire-schedules <ledger> <startSeconds>`: opens the ledger as a job
    /// ledger without fsync, on a clock standing at `startSeconds` after
    /// 1970, prints `ready`, then for each line `tick <seconds>` on
    /// standard input sets the clock to that time, fires the due schedules
    /// and prints `fired <seconds> <created ids, comma-separated or ->`.
    /// Ends on `stop` or the end of input.
    static func fireSchedules(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count == 2, let start = Double(arguments[1]) else {
            usage("fire-schedules <ledger> <startSeconds>")
        }
        let clock = SteppedClock(Date(timeIntervalSince1970: start))
        var options = JobLedgerOptions()
        options.store.durability = .noSyncForTestsAndBenchmarks
        options.clock = { clock.now.withLock { $0 } }
        let ledger = try JobLedger(path: arguments[0], options: options)
        say("ready")
        var lines = 0
        while let line = readLine(), line != "stop" {
            lines += 1
            if lines % 64 == 0 { stopIfOrphaned(parent) }
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0] == "tick", let seconds = Double(parts[1]) else {
                fail("expected 'tick <seconds>', got '\(line)'", status: 64)
            }
            clock.now.withLock { $0 = Date(timeIntervalSince1970: seconds) }
            let created = try ledger.fireDueSchedules()
            say("fired \(parts[1]) \(created.isEmpty ? "-" : created.joined(separator: ","))")
        }
    }
}
