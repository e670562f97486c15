import EventStore
import Logging
import NIOCore
import NIOPosix
import PostgresEventStore
import PostgresNIO

/// One PostgreSQL connection used by one thread at a time with blocking
/// calls: the plain SQL baseline's clients and the workload's own
/// statements (creating databases, reading statistics). Never used on an
/// event loop thread.
final class BlockingConnection: @unchecked Sendable {
    private let connection: PostgresConnection
    private let logger: Logger

    /// Connects to `url` (the ledger's URL form, read by `PostgresLocation`).
    init(url: String) throws {
        let location = try PostgresLocation(url: url)
        let configuration: PostgresConnection.Configuration
        if let directory = location.socketDirectory {
            configuration = .init(
                unixSocketPath: directory + "/.s.PGSQL.\(location.port)", username: location.username,
                password: location.password, database: location.database)
        } else {
            configuration = .init(
                host: location.host ?? "localhost", port: location.port, username: location.username,
                password: location.password, database: location.database, tls: .disable)
        }
        var logger = Logger(label: "jobledger-bench.postgres")
        logger.logLevel = .critical
        self.logger = logger
        connection = try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
        ).wait()
    }

    /// Runs `query` and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        try connection.query(query, logger: logger).wait()
    }

    /// Runs a statement given as text, with no parameters.
    func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// The single integer the query answers.
    func integer(_ query: PostgresQuery) throws -> Int {
        guard let row = try self.query(query).first else { return 0 }
        return Int(try row.decode(Int64.self))
    }

    /// Closes the connection.
    func close() {
        _ = try? connection.close().wait()
    }
}
