import Foundation
import LMDB
import Synchronization
import Testing

@testable import EventStore

/// Blocking callers that commit on their own thread when no commit is under
/// way, beside the writer thread that commits for everyone else.
@Suite struct GroupCommitLeaderTests {
    @Test func aLoneBlockingCallerCommitsOnItsOwnThreadAndAsyncCallersNever() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open(EventStoreOptions())
        try Self.appendBlocking(to: store, stream: "alone", versions: 0..<20)
        let afterBlocking = store.groupCommitStatistics
        #expect(afterBlocking.commits == 20)
        #expect(afterBlocking.callerCommits == 20)
        for version in 20..<30 {
            _ = try await store.append(to: "alone", expectedVersion: .exact(UInt64(version)), events: [sampleEvent()])
        }
        let afterAsync = store.groupCommitStatistics
        #expect(afterAsync.commits == 30)
        #expect(afterAsync.callerCommits == 20, "an async caller committed on the cooperative pool")
        #expect(try store.streamVersion("alone") == 30)
    }

    /// Appends one event per call from the calling thread, blocking.
    private static func appendBlocking(to store: EventStore, stream: String, versions: Range<Int>) throws {
        for version in versions {
            _ = try store.append(to: stream, expectedVersion: .exact(UInt64(version)), events: [sampleEvent()])
        }
    }

    /// The writer thread leads a commit of waiting blocking and async
    /// callers whose transaction fails (the map is at its maximum): every
    /// one of them is answered with the error, nothing of theirs is
    /// stored, and the next append commits.
    @Test func aFailedCommitAnswersEveryFollowerWithTheError() throws {
        let fixture = try GatedCommitter(maxMapSize: 2 << 20)
        // The writer thread leads the first commit and holds it at the gate.
        let first = Answers()
        fixture.committer.submit(.init(appends: [StreamAppend(streamID: "first", expectedVersion: .any, events: [sampleEvent()])]) {
            first.add("first", $0)
        })
        fixture.entered.wait()
        // Followers queue behind it: too large for the map, all of them.
        let huge: @Sendable (String) -> [StreamAppend] = { stream in
            [StreamAppend(streamID: stream, expectedVersion: .any, events: (0..<40).map { _ in
                EventData(type: "Big", payload: [UInt8](repeating: 7, count: 100_000))
            })]
        }
        let followers = Answers()
        let done = DispatchGroup()
        for index in 0..<4 {
            fixture.committer.submit(.init(appends: huge("async-\(index)")) { followers.add("async-\(index)", $0) })
            done.enter()
            Thread {
                followers.add("blocking-\(index)", fixture.committer.appendBlocking(huge("blocking-\(index)")))
                done.leave()
            }.start()
        }
        while fixture.committer.waiting < 8 { usleep(1_000) }
        fixture.gate.signal()
        done.wait()
        while followers.count < 8 { usleep(1_000) }

        #expect(first.all.map(\.1.isSuccess) == [true])
        let answered = followers.all
        #expect(answered.count == 8)
        for (stream, outcome) in answered {
            guard case .failure(let error) = outcome else {
                Issue.record("\(stream) was answered with success")
                continue
            }
            #expect(error.code == .storageFull, "\(stream): \(error)")
        }
        #expect(try fixture.lastPosition() == 1)
        let after = fixture.committer.appendBlocking([StreamAppend(streamID: "after", expectedVersion: .any, events: [sampleEvent()])])
        #expect(try after.get().streams[0].positions == [2])
        fixture.committer.stop()
    }

    /// A blocking caller leads a commit that fails: it gets the error, and
    /// the callers that queued behind it meanwhile are committed after it
    /// by the writer thread, none left waiting.
    @Test func aLeaderWhoseCommitFailsGetsTheErrorAndItsFollowersStillCommit() throws {
        let fixture = try GatedCommitter(maxMapSize: 2 << 20)
        let leader = Answers()
        let leaderDone = DispatchGroup()
        leaderDone.enter()
        Thread {
            let huge = (0..<40).map { _ in EventData(type: "Big", payload: [UInt8](repeating: 7, count: 100_000)) }
            leader.add("leader", fixture.committer.appendBlocking([StreamAppend(streamID: "leader", expectedVersion: .any, events: huge)]))
            leaderDone.leave()
        }.start()
        fixture.entered.wait()
        #expect(fixture.committer.statistics.snapshot.commits == 0)

        let followers = Answers()
        let done = DispatchGroup()
        for index in 0..<3 {
            fixture.committer.submit(.init(appends: [StreamAppend(streamID: "async-\(index)", expectedVersion: .noStream, events: [sampleEvent()])]) {
                followers.add("async-\(index)", $0)
            })
            done.enter()
            Thread {
                let append = StreamAppend(streamID: "blocking-\(index)", expectedVersion: .noStream, events: [sampleEvent()])
                followers.add("blocking-\(index)", fixture.committer.appendBlocking([append]))
                done.leave()
            }.start()
        }
        while fixture.committer.waiting < 6 { usleep(1_000) }
        fixture.gate.signal()
        leaderDone.wait()
        done.wait()
        while followers.count < 6 { usleep(1_000) }

        let led = leader.all
        #expect(led.count == 1)
        if case .failure(let error) = led.first?.1 {
            #expect(error.code == .storageFull)
        } else {
            Issue.record("the leader's oversized append was answered with \(String(describing: led.first?.1))")
        }
        let positions = followers.all.flatMap { (stream, outcome) -> [UInt64] in
            guard case .success(let result) = outcome else {
                Issue.record("\(stream) was refused: \(outcome)")
                return []
            }
            return result.streams[0].positions
        }
        #expect(positions.sorted() == [1, 2, 3, 4, 5, 6])
        #expect(try fixture.lastPosition() == 6)
        let stats = fixture.committer.statistics.snapshot
        #expect(stats.callerCommits == 0, "only the leader's failed commit ran on a caller's thread")
        #expect(stats.commits == 1 && stats.appends == 6, "the followers went into one commit: \(stats)")
        fixture.committer.stop()
    }

    /// Many threads and tasks append at once, blocking and async mixed, on
    /// a durable ledger: every acknowledged append is in the log, at the
    /// position it was answered with, after the ledger is closed and
    /// opened again, and nothing else is.
    @Test func blockingAndAsyncCallersLoseNothingAcrossAReopen() async throws {
        let ledger = TemporaryLedger()
        let acknowledged = Mutex<[UUID: UInt64]>([:])
        let record = { @Sendable (event: UUID, result: AppendResult) in
            acknowledged.withLock { $0[event] = result.streams[0].positions[0] }
        }
        do {
            let store = try ledger.open(EventStoreOptions())
            let threads = 6
            let tasks = 6
            let perCaller = 40
            let done = DispatchGroup()
            for thread in 0..<threads {
                done.enter()
                Thread {
                    defer { done.leave() }
                    for version in 0..<perCaller {
                        let event = sampleEvent()
                        do {
                            let result = try store.append(
                                to: "thread-\(thread)", expectedVersion: .exact(UInt64(version)), events: [event])
                            record(event.id, result)
                        } catch {
                            Issue.record("thread \(thread) refused: \(error)")
                        }
                        // Now and then a pause, so that some appends find no
                        // commit under way and lead.
                        if version % 7 == thread % 7 { usleep(2_000) }
                    }
                }.start()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for version in 0..<perCaller {
                            let event = sampleEvent()
                            let result = try await store.append(
                                to: "task-\(task)", expectedVersion: .exact(UInt64(version)), events: [event])
                            record(event.id, result)
                        }
                    }
                }
                try await group.waitForAll()
            }
            await withCheckedContinuation { continuation in
                done.notify(queue: .global()) { continuation.resume() }
            }
            let stats = store.groupCommitStatistics
            #expect(stats.appends == (threads + tasks) * perCaller)
            #expect(stats.callerCommits > 0, "no blocking caller ever led: \(stats)")
            #expect(stats.callerCommits < stats.commits, "the writer thread never committed: \(stats)")
        }
        // The threads that held the store may take a moment to go.
        for _ in 0..<200 where EventStore.isOpenInProcess(ledger.path) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!EventStore.isOpenInProcess(ledger.path))
        let reopened = try ledger.open(EventStoreOptions())
        var stored: [UUID: UInt64] = [:]
        try reopened.forEachEvent { event in
            stored[event.id] = event.position
            return true
        }
        let expected = acknowledged.withLock { $0 }
        #expect(expected.count == 480)
        #expect(stored == expected)
        #expect(stored.values.sorted() == Array(1...UInt64(stored.count)))
    }
}

/// A group committer on a real ledger whose first commit waits at a gate,
/// so that a test can queue appends behind a commit under way.
private struct GatedCommitter {
    let environment: Environment
    let layout: StoreLayout
    let committer: GroupCommitter
    /// Signalled when the first commit reaches the gate.
    let entered = DispatchSemaphore(value: 0)
    /// Lets the first commit go on.
    let gate = DispatchSemaphore(value: 0)
    private let ledger: TemporaryLedger

    init(maxMapSize: Int) throws {
        ledger = TemporaryLedger()
        try FileManager.default.createDirectory(atPath: ledger.path, withIntermediateDirectories: true)
        var options = EnvironmentOptions()
        options.durable = false
        options.mapSize = 1 << 20
        options.maxMapSize = maxMapSize
        let environment = try Environment(path: ledger.path, options: options)
        let layout = try StoreLayout.open(in: environment, path: ledger.path)
        self.environment = environment
        self.layout = layout
        let entered = entered, gate = gate
        let firstCommit = Atomic<Bool>(true)
        committer = GroupCommitter(maxEventsPerCommit: 8_192, onCommit: {}) {
            GatedWriter(
                inner: LMDBBatchWriter(
                    environment: environment, layout: layout, projections: [], tables: ProjectionTables(databases: [:]),
                    path: environment.path),
                atFirstCommit: {
                    guard firstCommit.exchange(false, ordering: .relaxed) else { return }
                    entered.signal()
                    gate.wait()
                })
        }
    }

    func lastPosition() throws -> UInt64 {
        try environment.read { txn in
            try txn.withCursor(on: layout.events) { cursor in try cursor.last().map { $0.key.loadBigEndianUInt64(at: 0) } ?? 0 }
        }
    }
}

/// The store's own writer, with a pause before the first commit.
private struct GatedWriter: AppendBatchWriter {
    var inner: LMDBBatchWriter
    let atFirstCommit: @Sendable () -> Void

    mutating func commit(_ batch: [[StreamAppend]]) throws -> [Result<AppendResult, EventStoreError>] {
        atFirstCommit()
        return try inner.commit(batch)
    }
}

/// Outcomes by caller, from any thread.
private final class Answers: Sendable {
    private let state = Mutex<[(String, Result<AppendResult, EventStoreError>)]>([])

    func add(_ caller: String, _ outcome: Result<AppendResult, EventStoreError>) {
        state.withLock { $0.append((caller, outcome)) }
    }

    var all: [(String, Result<AppendResult, EventStoreError>)] { state.withLock { $0 } }
    var count: Int { state.withLock { $0.count } }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
