import Foundation
import GRDB
import Synchronization

/// Comparison workload 1 on SQLite: one client appends one event at a
/// time to one stream with the version it knows, each append one durable
/// transaction. Stays open between rounds.
final class SQLiteSingleClient {
    private let writer: any DatabaseWriter
    private let payload: Data
    private let stream = "job-single"
    private var version: Int64 = 0

    /// Creates a fresh database at `path`.
    init(at path: String, mode: SQLiteConnections, payloadBytes: Int) throws {
        writer = try SQLiteDatabase(path: path, mode: mode).connection()
        payload = Data(BenchEvents(payloadBytes: payloadBytes).payload)
    }

    /// Appends `count` events, one per transaction; returns the seconds taken.
    func append(_ count: Int) throws -> Double {
        let stopwatch = Stopwatch()
        for _ in 0..<count {
            guard try SQLiteEvents.append(
                writer, stream: stream, expected: version, type: "JobProgressed", actor: "bench", payload: payload)
            else { throw BenchError.verification("SQLite single client: unexpected conflict at version \(version)") }
            version += 1
        }
        return stopwatch.elapsedSeconds
    }

    /// Checks the stream holds every appended event.
    func finish() throws {
        let stored = try SQLiteEvents.version(writer, stream: stream)
        guard stored == version else {
            throw BenchError.verification("SQLite stream holds \(stored) events, expected \(version)")
        }
    }
}

/// Comparison workload 2 on SQLite: many client threads, each appending
/// one event at a time to a stream of its own with the version it knows.
final class SQLiteConcurrentClients {
    private let connections: [any DatabaseWriter]
    private let payload: Data
    private let versions: Mutex<[Int64]>

    /// Creates a fresh database at `path` and one connection per client.
    init(at path: String, mode: SQLiteConnections, clients: Int, payloadBytes: Int) throws {
        connections = try SQLiteDatabase(path: path, mode: mode).connections(clients)
        payload = Data(BenchEvents(payloadBytes: payloadBytes).payload)
        versions = Mutex(Array(repeating: 0, count: clients))
    }

    private static func stream(_ client: Int) -> String { "job-client-\(client)" }

    /// Lets every client append `perClient` events; returns the seconds.
    func append(perClient: Int) throws -> Double {
        let start = versions.withLock { $0 }
        let ends = Mutex(start)
        let connections = connections
        let payload = payload
        let seconds = try ClientThreads.run(connections.count, name: "sqlite-client") { client in
            var version = start[client]
            for _ in 0..<perClient {
                guard try SQLiteEvents.append(
                    connections[client], stream: Self.stream(client), expected: version, type: "JobProgressed",
                    actor: "bench", payload: payload)
                else { throw BenchError.verification("SQLite client \(client): unexpected conflict") }
                version += 1
            }
            ends.withLock { $0[client] = version }
        }
        versions.withLock { $0 = ends.withLock { $0 } }
        return seconds
    }

    /// Checks every stream holds what its client appended.
    func finish() throws {
        let expected = versions.withLock { $0 }
        for client in expected.indices {
            let stored = try SQLiteEvents.version(connections[client], stream: Self.stream(client))
            guard stored == expected[client] else {
                throw BenchError.verification("SQLite client \(client)'s stream holds \(stored), expected \(expected[client])")
            }
        }
    }
}
