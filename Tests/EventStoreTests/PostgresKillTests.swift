import EventStore
import Foundation
import JobLedgerTestSupport
import PostgresEventStore
import Testing

/// Writer processes on PostgreSQL killed in the middle of their appends:
/// what they acknowledged stays, and what they had not committed leaves no
/// trace, neither a gap in the positions nor a half-written append.
@Suite struct PostgresKillTests {
    @Test("processes killed while they append lose no acknowledged event and leave the log whole", .timeLimit(.minutes(2)))
    func killedWritersLoseNoAcknowledgedEventAndLeaveNoGap() async throws {
        let url = try PostgresTestCluster.shared.freshLedgerURL()
        let store = try PostgresEventStore.open(url: url)
        var acknowledged = Set<UInt64>()
        for round in 0..<3 {
            let writers = try (0..<2).map { index in
                try ChildProcess(
                    probe: ["pg-writers", url, "\(round * 2 + index)", "8", "100000"], name: "pg-writers-\(round)-\(index)")
            }
            // Let them commit for a while, then kill each at a random moment.
            let started = ContinuousClock.now
            let before = try store.lastPosition()
            while try store.lastPosition() < before + 200 && ContinuousClock.now - started < .seconds(30) {
                try await Task.sleep(for: .milliseconds(5))
            }
            for writer in writers {
                let (lines, _) = try await writer.killAfterRandomDelay(upTo: 20_000, context: "round \(round)")
                for line in lines where line.hasPrefix("ack ") { acknowledged.insert(UInt64(String(line.dropFirst(4)))!) }
            }
        }
        #expect(acknowledged.count >= 600)
        let last = try store.lastPosition()
        #expect(acknowledged.allSatisfy { $0 <= last })
        let report = try store.verifyLog()
        #expect(report.isClean, "\(report.problems.prefix(5))")
        #expect(UInt64(report.events) == last)
        // Every acknowledged position holds an event of the writers.
        for position in acknowledged.sorted().prefix(2_000) {
            #expect(try store.event(at: position)?.type == "ProbeAppended")
        }
    }
}
