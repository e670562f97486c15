import EventStore
import Foundation
import GRDB

/// Comparison workload 3: many clients append to a few shared streams.
///
/// Each client appends to stream `client % streams` with the version it
/// last saw. When another client got there first the append is refused
/// (a version conflict): the client learns the current version and tries
/// again at once, until it has made its share of successful appends. The
/// same loop runs on both systems; a conflict is one refused append, and
/// every conflict is followed by one retry.
protocol SharedStreamsSide: AnyObject {
    /// Lets every client make `perClient` successful appends; returns the seconds.
    func append(perClient: Int) throws -> Double
    /// Refused appends so far.
    var conflicts: Int { get }
    /// Successful appends so far.
    var appended: Int { get }
}

/// The ledger side of workload 3.
final class LedgerSharedStreams: SharedStreamsSide {
    private let store: EventStore
    private let clients: Int
    private let streams: Int
    private let events: BenchEvents
    private let refused = SharedCounter()
    private let successes = SharedCounter()
    private let statisticsAtOpen: GroupCommitStatistics

    /// Opens a fresh durable ledger at `path`.
    init(at path: String, clients: Int, streams: Int, events: BenchEvents) throws {
        store = try EventStore.open(at: path)
        self.clients = clients
        self.streams = streams
        self.events = events
        statisticsAtOpen = store.groupCommitStatistics
    }

    var conflicts: Int { refused.total }
    var appended: Int { successes.total }

    func append(perClient: Int) throws -> Double {
        let (store, streams, events, refused, successes) = (store, streams, events, refused, successes)
        return try ClientThreads.run(clients, name: "shared") { client in
            let stream = "shared-\(client % streams)"
            var version = try store.streamVersion(stream)
            var done = 0
            while done < perClient {
                do {
                    let result = try store.append(to: stream, expectedVersion: .exact(version), events: [events.make()])
                    version = result.streams[0].version
                    done += 1
                } catch {
                    guard let error = error as? EventStoreError, error.code == .wrongExpectedVersion,
                          let actual = error.actualVersion else { throw error }
                    refused.add(1)
                    version = actual
                }
            }
            successes.add(done)
        }
    }

    /// Checks the streams hold every successful append; returns the batching.
    func finish() throws -> BatchFigures {
        var stored: UInt64 = 0
        for stream in 0..<streams { stored += try store.streamVersion("shared-\(stream)") }
        guard stored == UInt64(appended) else {
            throw BenchError.verification("shared streams hold \(stored) events, \(appended) appends succeeded")
        }
        return BatchFigures(
            workload: "\(clients) clients, \(streams) shared streams", before: statisticsAtOpen,
            after: store.groupCommitStatistics)
    }
}

/// The SQLite side of workload 3.
final class SQLiteSharedStreams: SharedStreamsSide {
    private let connections: [any DatabaseWriter]
    private let streams: Int
    private let payload: Data
    private let refused = SharedCounter()
    private let successes = SharedCounter()

    /// Creates a fresh database at `path` with one connection per client.
    init(at path: String, mode: SQLiteConnections, clients: Int, streams: Int, payloadBytes: Int) throws {
        connections = try SQLiteDatabase(path: path, mode: mode).connections(clients)
        self.streams = streams
        payload = Data(BenchEvents(payloadBytes: payloadBytes).payload)
    }

    var conflicts: Int { refused.total }
    var appended: Int { successes.total }

    func append(perClient: Int) throws -> Double {
        let (connections, streams, payload, refused, successes) = (connections, streams, payload, refused, successes)
        return try ClientThreads.run(connections.count, name: "sqlite-shared") { client in
            let connection = connections[client]
            let stream = "shared-\(client % streams)"
            var version = try SQLiteEvents.version(connection, stream: stream)
            var done = 0
            while done < perClient {
                if try SQLiteEvents.append(
                    connection, stream: stream, expected: version, type: "JobProgressed", actor: "bench", payload: payload)
                {
                    version += 1
                    done += 1
                } else {
                    refused.add(1)
                    version = try SQLiteEvents.version(connection, stream: stream)
                }
            }
            successes.add(done)
        }
    }

    /// Checks the streams hold every successful append.
    func finish() throws {
        var stored: Int64 = 0
        for stream in 0..<streams { stored += try SQLiteEvents.version(connections[0], stream: "shared-\(stream)") }
        guard stored == Int64(appended) else {
            throw BenchError.verification("SQLite shared streams hold \(stored) events, \(appended) appends succeeded")
        }
    }
}
