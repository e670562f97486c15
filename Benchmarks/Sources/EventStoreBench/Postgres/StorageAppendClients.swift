import EventStore
import Foundation
import Synchronization

/// Many client threads, each appending one event at a time to a stream of
/// its own with exact expected versions, on any backend of the storage
/// contract; every append's latency is kept. The postgres workload runs it
/// on `PostgresEventStore` and on the LMDB `EventStore` side by side.
final class StorageAppendClients: Sendable {
    private let store: any EventStorage
    private let events: BenchEvents
    private let clients: Int
    private let versions: Mutex<[UInt64]>
    private let batches: Mutex<BatchFigures>
    /// Every timed append's latency, in milliseconds.
    let latencies = LatencySamples()

    /// Appends through `store`, which must be fresh, with `clients` threads.
    init(store: any EventStorage, name: String, clients: Int, events: BenchEvents) {
        self.store = store
        self.events = events
        self.clients = clients
        versions = Mutex(Array(repeating: 0, count: clients))
        batches = Mutex(BatchFigures(
            workload: name, commits: 0, appends: 0, events: 0, averageAppendsPerCommit: 0, largestAppendsPerCommit: 0))
    }

    private static func stream(_ client: Int) -> String { "job-client-\(client)" }

    /// Lets every client make `perClient` appends; returns the seconds from
    /// the start signal until the last one finished.
    func append(perClient: Int) throws -> Double {
        let start = versions.withLock { $0 }
        let before = store.groupCommitStatistics
        let seconds = try ClientThreads.run(clients, name: "append") { [self] client in
            let stream = Self.stream(client)
            var version = start[client]
            var mine: [Double] = []
            mine.reserveCapacity(perClient)
            for _ in 0..<perClient {
                let sent = ContinuousClock.now
                let result = try store.append(to: stream, expectedVersion: .exact(version), events: [events.make()])
                mine.append(HTTPWorkloads.milliseconds(ContinuousClock.now - sent))
                version = result.streams[0].version
            }
            let done = mine
            latencies.add(done)
            versions.withLock { $0[client] = version }
        }
        let round = BatchFigures(workload: "", before: before, after: store.groupCommitStatistics)
        batches.withLock { totals in
            totals.commits += round.commits
            totals.appends += round.appends
            totals.events += round.events
            totals.averageAppendsPerCommit = totals.commits == 0 ? 0 : Double(totals.appends) / Double(totals.commits)
            totals.largestAppendsPerCommit = max(totals.largestAppendsPerCommit, round.largestAppendsPerCommit)
        }
        return seconds
    }

    /// Checks every stream holds what its client appended; returns how
    /// group commit batched the timed appends.
    func finish() throws -> BatchFigures {
        let expected = versions.withLock { $0 }
        for client in 0..<clients {
            let stored = try store.streamVersion(Self.stream(client))
            guard stored == expected[client] else {
                throw BenchError.verification("client \(client)'s stream holds \(stored) events, expected \(expected[client])")
            }
        }
        return batches.withLock { $0 }
    }
}
