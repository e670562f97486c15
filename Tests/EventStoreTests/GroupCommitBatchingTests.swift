import EventStore
import Foundation
import Synchronization
import Testing

@Suite struct GroupCommitBatchingTests {
    /// Blocking callers that each append again as soon as they are answered
    /// can split into two cohorts, each commit carrying half of them while
    /// the other half waits for the next; half the appends should go into
    /// commits of more than half the callers.
    ///
    /// Whether a thread is back in time depends on the scheduler too: on a
    /// machine busy with the rest of the suite a run can fall short by
    /// chance. Up to three runs are taken; the split, which shows in every
    /// run, fails all three.
    @Test func commitsCarryMoreThanHalfOfTheWaitingThreads() throws {
        let clients = 16
        var runs: [String] = []
        for _ in 0..<3 {
            let (median, byAppends) = try Self.medianAppendsPerCommit(clients: clients, perClient: 40)
            if median > clients / 2 { return }
            runs.append("median \(median), commits by appends \(byAppends)")
        }
        Issue.record("in three runs, half the appends never went into commits of more than \(clients / 2): \(runs)")
    }

    /// Runs `clients` blocking callers appending `perClient` events each on
    /// a durable store; answers the size of commit (in appends) that half
    /// of the appends reached or exceeded, and the commits by their sizes.
    static func medianAppendsPerCommit(clients: Int, perClient: Int) throws -> (Int, [(Int, Int)]) {
        let ledger = TemporaryLedger()
        let store = try ledger.open(EventStoreOptions())  // durable: commits take an fsync's time
        #expect(appendFromThreads(to: store, threads: clients, perThread: perClient, prefix: "client") == [])
        let stats = store.groupCommitStatistics
        #expect(stats.events == clients * perClient)
        var counted = 0
        var median = 0
        for (appends, commits) in stats.commitsByAppends.sorted(by: { $0.key > $1.key }) {
            counted += appends * commits
            median = appends
            if counted * 2 >= stats.appends { break }
        }
        return (median, stats.commitsByAppends.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    @Test func blockingAndAsyncCallersAreEachAnsweredOnceWithDensePositions() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open(EventStoreOptions())
        let threads = 8
        let tasks = 8
        let perCaller = 30
        let answered = PositionsByStream()
        let record = answered.add
        let done = startAppendingThreads(to: store, threads: threads, perThread: perCaller, prefix: "thread") {
            stream, outcome in
            if case .success(let result) = outcome { record(stream, result) }
        }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for version in 0..<perCaller {
                        if let result = try? await store.append(
                            to: "task-\(task)", expectedVersion: .exact(UInt64(version)), events: [sampleEvent()])
                        {
                            record("task-\(task)", result)
                        }
                    }
                }
            }
        }
        await withCheckedContinuation { continuation in
            done.notify(queue: .global()) { continuation.resume() }
        }
        let byStream = answered.all
        #expect(byStream.count == threads + tasks)
        #expect(byStream.values.allSatisfy { $0.count == perCaller })
        let total = UInt64((threads + tasks) * perCaller)
        #expect(byStream.values.flatMap { $0 }.sorted() == Array(1...total))
        var stored: [UInt64] = []
        try store.forEachEvent { event in
            stored.append(event.position)
            return true
        }
        #expect(stored == Array(1...total))
    }
}

/// The positions answered to each stream's appends, from any thread.
private final class PositionsByStream: Sendable {
    private let state = Mutex<[String: [UInt64]]>([:])

    @Sendable func add(_ stream: String, _ result: AppendResult) {
        state.withLock { $0[stream, default: []] += result.streams[0].positions }
    }

    var all: [String: [UInt64]] { state.withLock { $0 } }
}
