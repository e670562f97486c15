import EventStore
import Foundation
import Synchronization
import Testing

@Suite struct GroupCommitBatchingTests {
    /// Blocking callers that each append again as soon as they are answered
    /// can split into two cohorts, each commit carrying half of them while
    /// the other half waits for the next; half the appends should go into
    /// commits of more than half the callers.
    @Test func commitsCarryMoreThanHalfOfTheWaitingThreads() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open(EventStoreOptions())  // durable: commits take an fsync's time
        let clients = 16
        let perClient = 40
        #expect(appendFromThreads(to: store, threads: clients, perThread: perClient, prefix: "client") == [])
        let stats = store.groupCommitStatistics
        #expect(stats.events == clients * perClient)
        // Half of the appends went into commits of how many appends at least?
        var counted = 0
        var median = 0
        for (appends, commits) in stats.commitsByAppends.sorted(by: { $0.key > $1.key }) {
            counted += appends * commits
            median = appends
            if counted * 2 >= stats.appends { break }
        }
        #expect(median > clients / 2, "commits by appends: \(stats.commitsByAppends.sorted { $0.key < $1.key })")
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
