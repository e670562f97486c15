import EventStore
import Foundation
import Synchronization

/// Workload 4: many client threads, each appending one event at a time to a
/// stream of its own with exact expected versions, durable. Group commit
/// lets them share write transactions and fsyncs.
///
/// Every client is a Foundation `Thread` blocked in the synchronous append,
/// as a pool of request handlers would be; a start barrier makes sure all of
/// them are running before the clock starts. The store stays open between
/// calls to ``append(perClient:)``, so the workload can run in rounds
/// interleaved with its baseline.
final class ConcurrentAppend {
    private let store: EventStore
    private let events: BenchEvents
    private let clients: Int
    private var versions: [UInt64]
    private var batchTotals: BatchFigures

    /// Opens a fresh durable ledger at `path` for `clients` clients.
    init(at path: String, clients: Int, events: BenchEvents) throws {
        store = try EventStore.open(at: path)
        self.events = events
        self.clients = clients
        versions = Array(repeating: 0, count: clients)
        batchTotals = BatchFigures(
            workload: "\(clients) clients", commits: 0, appends: 0, events: 0,
            averageAppendsPerCommit: 0, largestAppendsPerCommit: 0)
    }

    private static func stream(_ client: Int) -> String { "job-client-\(client)" }

    /// Starts every client, lets each append `perClient` events, and returns
    /// the seconds from the start signal until the last client finished.
    func append(perClient: Int) throws -> Double {
        let barrier = StartBarrier(parties: clients)
        let finished = DispatchSemaphore(value: 0)
        let failures = Mutex<[String]>([])
        let startVersions = versions
        let endVersions = Mutex(startVersions)

        for client in 0..<clients {
            let thread = Thread { [store, events] in
                defer { finished.signal() }
                let stream = Self.stream(client)
                var version = startVersions[client]
                barrier.arriveAndWait()
                do {
                    for _ in 0..<perClient {
                        let result = try store.append(
                            to: stream, expectedVersion: .exact(version), events: [events.make()])
                        version = result.streams[0].version
                    }
                } catch {
                    failures.withLock { $0.append("\(stream): \(error)") }
                }
                endVersions.withLock { $0[client] = version }
            }
            thread.name = "jobledger-bench.client-\(client)"
            thread.start()
        }

        barrier.waitForAll()
        let before = store.groupCommitStatistics
        let stopwatch = Stopwatch()
        barrier.release()
        for _ in 0..<clients { finished.wait() }
        let seconds = stopwatch.elapsedSeconds
        versions = endVersions.withLock { $0 }
        accumulate(BatchFigures(workload: batchTotals.workload, before: before, after: store.groupCommitStatistics))
        if let failure = failures.withLock({ $0.first }) { throw BenchError.clientFailed(failure) }
        return seconds
    }

    private func accumulate(_ round: BatchFigures) {
        batchTotals.commits += round.commits
        batchTotals.appends += round.appends
        batchTotals.events += round.events
        batchTotals.averageAppendsPerCommit =
            batchTotals.commits == 0 ? 0 : Double(batchTotals.appends) / Double(batchTotals.commits)
        batchTotals.largestAppendsPerCommit = round.largestAppendsPerCommit
    }

    /// The store's group-commit statistics now.
    var statistics: GroupCommitStatistics { store.groupCommitStatistics }

    /// The ledger's pages, database by database.
    func pageSnapshot() throws -> PageSnapshot { try store.pageSnapshot() }

    /// Checks every stream holds what its client appended and returns how
    /// group commit batched the timed appends.
    func finish() throws -> BatchFigures {
        let expected = versions
        for client in 0..<clients {
            let stored = try store.streamVersion(Self.stream(client))
            guard stored == expected[client] else {
                throw BenchError.verification("client \(client)'s stream holds \(stored) events, expected \(expected[client])")
            }
        }
        return batchTotals
    }
}
