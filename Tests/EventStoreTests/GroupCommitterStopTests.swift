import Foundation
import LMDB
import Synchronization
import Testing

@testable import EventStore

@Suite struct GroupCommitterStopTests {
    /// Stopping while threads are still submitting: every append is
    /// answered exactly once, durable or refused as closed, and what was
    /// answered as stored is in the log with dense positions.
    @Test func stopWhileAppendsAreInFlightAnswersEveryOneOnce() throws {
        let ledger = TemporaryLedger()
        try FileManager.default.createDirectory(atPath: ledger.path, withIntermediateDirectories: true)
        var options = EnvironmentOptions()
        options.durable = false
        let environment = try Environment(path: ledger.path, options: options)
        defer { environment.close() }
        let layout = try StoreLayout.open(in: environment, path: ledger.path)
        let committer = GroupCommitter(maxEventsPerCommit: 1_000, onCommit: {}) {
            LMDBBatchWriter(
                environment: environment, layout: layout, projections: [], tables: ProjectionTables(databases: [:]),
                    path: environment.path)
        }

        let threads = 12
        let perThread = 200
        let answers = Mutex<[Int: Int]>([:])  // append number -> times answered
        let stored = Mutex<[UInt64]>([])
        let closed = Atomic<Int>(0)
        let started = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for thread in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                started.signal()
                for index in 0..<perThread {
                    let number = thread * perThread + index
                    let answered = DispatchSemaphore(value: 0)
                    let append = StreamAppend(streamID: "thread-\(thread)-\(index)", expectedVersion: .any, events: [sampleEvent()])
                    committer.submit(.init(appends: [append]) { result in
                        answers.withLock { $0[number, default: 0] += 1 }
                        switch result {
                        case .success(let appended): stored.withLock { $0 += appended.streams[0].positions }
                        case .failure(.closed): closed.add(1, ordering: .relaxed)
                        case .failure(let error): Issue.record("unexpected refusal: \(error)")
                        }
                        answered.signal()
                    })
                    answered.wait()
                }
            }.start()
        }
        for _ in 0..<threads { started.wait() }
        committer.stop()
        done.wait()

        let counts = answers.withLock { $0 }
        #expect(counts.count == threads * perThread)
        #expect(counts.values.allSatisfy { $0 == 1 })
        let positions = stored.withLock { $0 }.sorted()
        #expect(positions.count + closed.load(ordering: .relaxed) == threads * perThread)
        #expect(closed.load(ordering: .relaxed) > 0, "stop() came after every append was answered")
        #expect(positions == (0..<positions.count).map { UInt64($0 + 1) })
        let last = try environment.read { txn in
            try txn.withCursor(on: layout.events) { cursor in try cursor.last().map { $0.key.loadBigEndianUInt64(at: 0) } }
        }
        #expect(last == positions.last)
    }
}
