import Foundation
import NIOCore
import PostgresNIO
import Synchronization

/// The plain SQL baseline of the postgres workload: client threads, each
/// with a connection of its own, insert rows of the ledger's size into
/// `plain_events (position bigserial primary key, stream text, payload
/// bytea)` on the same cluster, every transaction committed durably. No
/// expected versions, no head row, no projections: what PostgreSQL itself
/// does with the same rows.
final class PlainSQLAppends: Sendable {
    /// How each transaction writes its rows.
    enum Form: Sendable, Hashable, CustomStringConvertible {
        /// One single-row INSERT per transaction.
        case single
        /// One INSERT ... VALUES of `rows` rows per transaction.
        case values(rows: Int)
        /// One INSERT ... SELECT FROM unnest of arrays of `rows` rows per
        /// transaction.
        case unnest(rows: Int)

        /// Rows each transaction inserts.
        var rows: Int {
            switch self {
            case .single: return 1
            case .values(let rows), .unnest(let rows): return rows
            }
        }

        var description: String {
            switch self {
            case .single: return "1 INSERT of 1 row per transaction"
            case .values(let rows): return "1 INSERT ... VALUES of \(rows) rows per transaction"
            case .unnest(let rows): return "1 INSERT ... SELECT FROM unnest(arrays) of \(rows) rows per transaction"
            }
        }
    }

    private let connections: [BlockingConnection]
    private let form: Form
    private let payload: ByteBuffer
    private let inserted = SharedCounter()
    /// Every timed transaction's latency, in milliseconds.
    let latencies = LatencySamples()

    /// Opens `clients` connections to `url` and creates the table (a table
    /// of its own per form, named by `table`).
    init(url: String, table: String, clients: Int, form: Form, payloadBytes: Int) throws {
        let setup = try BlockingConnection(url: url)
        defer { setup.close() }
        try setup.execute("CREATE TABLE \(table) (position bigserial PRIMARY KEY, stream text NOT NULL, payload bytea NOT NULL)")
        connections = try (0..<clients).map { _ in try BlockingConnection(url: url) }
        self.form = form
        self.table = table
        payload = ByteBuffer(bytes: (0..<payloadBytes).map { UInt8(truncatingIfNeeded: 0x61 + $0 % 26) })
    }

    private let table: String

    /// Lets every client insert `perClient` rows (in transactions of the
    /// form's size; the last may be smaller); returns the seconds from the
    /// start signal until the last one finished.
    func insert(perClient: Int) throws -> Double {
        try ClientThreads.run(connections.count, name: "sql") { [self] client in
            let connection = connections[client]
            let stream = "job-client-\(client)"
            var left = perClient
            var mine: [Double] = []
            while left > 0 {
                let rows = min(left, form.rows)
                let sent = ContinuousClock.now
                try connection.query(statement(stream: stream, rows: rows))
                mine.append(HTTPWorkloads.milliseconds(ContinuousClock.now - sent))
                left -= rows
            }
            let done = mine
            latencies.add(done)
            inserted.add(perClient)
        }
    }

    private func statement(stream: String, rows: Int) -> PostgresQuery {
        switch form {
        case .single:
            return "INSERT INTO \(unescaped: table) (stream, payload) VALUES (\(stream), \(payload))"
        case .values:
            var bindings = PostgresBindings(capacity: 2 * rows)
            var tuples: [String] = []
            for row in 0..<rows {
                bindings.append(stream)
                bindings.append(payload)
                tuples.append("($\(2 * row + 1), $\(2 * row + 2))")
            }
            return PostgresQuery(
                unsafeSQL: "INSERT INTO \(table) (stream, payload) VALUES " + tuples.joined(separator: ", "),
                binds: bindings)
        case .unnest:
            let streams = Array(repeating: stream, count: rows)
            let payloads = Array(repeating: payload, count: rows)
            return """
                INSERT INTO \(unescaped: table) (stream, payload)
                SELECT * FROM unnest(\(streams)::text[], \(payloads)::bytea[])
                """
        }
    }

    /// Checks the table holds every row inserted, then closes the connections.
    func finish() throws {
        defer { for connection in connections { connection.close() } }
        let stored = try connections[0].integer("SELECT count(*) FROM \(unescaped: table)")
        guard stored == inserted.total else {
            throw BenchError.verification("\(table) holds \(stored) rows, \(inserted.total) were inserted")
        }
    }
}
