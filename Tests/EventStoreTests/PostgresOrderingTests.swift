import EventStore
import Foundation
import JobLedgerTestSupport
import PostgresEventStore
import Synchronization
import Testing

/// The ordering promise on PostgreSQL, where event stores built on
/// sequences have skipped late commits: processes append from many
/// threads while followers read from different starting points, and some
/// append transactions sleep while they hold the position they will take.
@Suite struct PostgresOrderingTests {
    @Test("4 processes x 16 writers append while 3 followers each see every position once, in order, none skipped behind a slow transaction",
          .timeLimit(.minutes(3)))
    func followersSeeEveryPositionOnceInOrderWhileProcessesAppend() async throws {
        let url = try PostgresTestCluster.shared.freshLedgerURL()
        let options = EventStoreOptions()
        let store = try PostgresEventStore.open(url: url, options: options)
        for index in 0..<40 {
            _ = try await store.append(to: "seed-\(index)", expectedVersion: .noStream, events: [sampleEvent("seed-\(index)")])
        }
        let perWriter = 24
        let writers = try (0..<4).map { index in
            try ChildProcess(
                probe: ["pg-writers", url, "\(index)", "16", "\(perWriter)", "--slow-every=37"], name: "pg-writers-\(index)")
        }
        let expectedLast = UInt64(40 + 4 * 16 * perWriter)

        // Followers from the start, from the middle of the seed, and from
        // wherever the log is once the writers have begun; each on a store
        // of its own, woken by the other processes' notifications.
        while try store.lastPosition() < 60 { try await Task.sleep(for: .milliseconds(2)) }
        let live = try store.lastPosition()
        let followers = [("start", UInt64(0)), ("middle", UInt64(20)), ("live", live)].map {
            FollowContiguityTests.Received($0.0, after: $0.1)
        }
        let stores = try followers.map { _ in try PostgresEventStore.open(url: url, options: options) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (follower, reader) in zip(followers, stores) {
                let after = follower.firstExpected - 1
                group.addTask {
                    for try await event in reader.subscribe(after: after, batchSize: 100) {
                        follower.add(event.position)
                        if event.position >= expectedLast { return }
                    }
                }
            }
            try await group.waitForAll()
        }

        var acknowledged = Set<UInt64>()
        for writer in writers {
            let (lines, complete) = await writer.remainingLines(timeout: .seconds(60))
            #expect(complete && lines.last == "done \(16 * perWriter)", "\(writer.name): \(writer.errorText)")
            for line in lines where line.hasPrefix("ack ") { acknowledged.insert(UInt64(String(line.dropFirst(4)))!) }
        }
        #expect(acknowledged.count == 4 * 16 * perWriter)
        #expect(try store.lastPosition() == expectedLast)
        for follower in followers {
            let seen = follower.snapshot
            #expect(seen == Array(follower.firstExpected...expectedLast), "\(follower.name): \(seen.count) positions")
        }
        #expect(acknowledged.isSubset(of: Set(1...expectedLast)))
        #expect(try store.verifyLog().isClean)
    }
}
