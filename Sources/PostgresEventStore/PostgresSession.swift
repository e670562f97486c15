import EventStore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// One connection to the server, used from one thread at a time, with
/// blocking calls: the storage contract's reads and the group committer's
/// writer are synchronous, as they are on LMDB. Never used on an event
/// loop thread.
final class PostgresSession: @unchecked Sendable {
    let connection: PostgresConnection
    /// The channel the ledger's commits are announced on.
    let notificationChannel: String
    private let logger: Logger
    /// Set when a statement failed in a way that may have left the
    /// connection unusable; the pool then drops it.
    private(set) var isBroken = false
    /// The failure of a statement sent without waiting for its answer.
    private let unansweredFailure = FailureSlot()

    /// Whether a statement sent without waiting failed: the connection's
    /// transaction state is then unknown, and the pool drops it.
    var hasUnansweredFailure: Bool { unansweredFailure.message != nil }

    private init(connection: PostgresConnection, notificationChannel: String, logger: Logger) {
        self.connection = connection
        self.notificationChannel = notificationChannel
        self.logger = logger
    }

    /// Connects to `location`.
    static func connect(to location: PostgresLocation, id: Int, logger: Logger) throws(EventStoreError) -> PostgresSession {
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: location.configuration, id: id,
                logger: logger
            ).wait()
            let session = PostgresSession(
                connection: connection, notificationChannel: location.notificationChannel, logger: logger)
            if let schema = location.schema {
                // A checked name (PostgresLocation): lowercase letters, digits and _.
                try session.query(PostgresQuery(unsafeSQL: "SET search_path TO \(schema)"))
            }
            return session
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .database("cannot connect to \(location): \(Self.message(error))")
        }
    }

    /// Runs `query` and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery) throws(EventStoreError) -> PostgresQueryResult {
        do {
            return try queries([query])[0]
        } catch {
            throw .database(error.message)
        }
    }

    /// Sends every statement of `queries` at once and then waits for the
    /// answers, in order: one round trip for all, where ``query(_:)`` one
    /// after the other would take one each. The server runs them in the
    /// order sent, each after the one before has finished. The first
    /// failure is thrown with the server's SQLSTATE
    /// (``PostgresStatementFailure``); the statements after it fail too
    /// when they are in the same transaction, and nobody waits for them.
    func queries(_ queries: [PostgresQuery]) throws(PostgresStatementFailure) -> [PostgresQueryResult] {
        let answers = queries.map { connection.query($0, logger: logger) }
        var results: [PostgresQueryResult] = []
        results.reserveCapacity(queries.count)
        for (query, answer) in zip(queries, answers) {
            do {
                results.append(try answer.wait())
            } catch {
                if !(error is PSQLError) || (error as? PSQLError)?.serverInfo == nil { isBroken = true }
                throw PostgresStatementFailure(
                    sqlState: Self.sqlState(error), message: "\(Self.statementName(query)): \(Self.message(error))")
            }
        }
        // A statement sent before these, without waiting, failed.
        if let failure = unansweredFailure.message {
            isBroken = true
            throw PostgresStatementFailure(sqlState: nil, message: failure)
        }
        return results
    }

    /// Sends `query` without waiting for its answer: the connection runs
    /// statements in the order sent, so the next ``query(_:)`` waits behind
    /// it and reports its failure. A round trip saved for statements whose
    /// answer says nothing (BEGIN, and a read-only COMMIT).
    func send(_ query: PostgresQuery) {
        let slot = unansweredFailure
        let name = Self.statementName(query)
        connection.query(query, logger: logger).whenFailure { error in
            slot.record("\(name): \(Self.message(error))")
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled
    /// back when it throws.
    /// The BEGIN goes out with the first statement of `body`, in one round
    /// trip; a read-only transaction's COMMIT is sent without waiting
    /// (`waitingForCommit: false`), while a writer waits for its COMMIT,
    /// which is what makes the writes durable.
    func transaction<R>(
        isolation: String = "READ COMMITTED", waitingForCommit: Bool = true, _ body: () throws -> R
    ) throws -> R {
        send(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation)"))
        let result: R
        do {
            result = try body()
        } catch {
            send("ROLLBACK")
            throw error
        }
        if waitingForCommit {
            try query("COMMIT")
        } else {
            send("COMMIT")
        }
        return result
    }

    private var isClosed = false

    /// Closes the connection.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = try? connection.close().wait()
    }

    deinit {
        // A connection must be closed before it goes away.
        if !isClosed { let _: EventLoopFuture<Void> = connection.close() }
    }

    /// The server's SQLSTATE of `error`, when the server sent one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// What the server or the driver said, in one line.
    static func message(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo {
            let text = info[.message] ?? "server error"
            let detail = info[.detail].map { " (\($0))" } ?? ""
            return "\(text)\(detail) [SQLSTATE \(info[.sqlState] ?? "?")]"
        }
        return "\(error.code)"
    }

    private static func statementName(_ query: PostgresQuery) -> String {
        let words = query.sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4)
        return words.joined(separator: " ")
    }
}

/// The first failure of a statement nobody waited for.
private final class FailureSlot: Sendable {
    private let first = Mutex<String?>(nil)

    func record(_ message: String) { first.withLock { $0 = $0 ?? message } }
    var message: String? { first.withLock { $0 } }
}

/// A statement of ``PostgresSession/queries(_:)`` that failed.
struct PostgresStatementFailure: Error {
    /// The server's SQLSTATE, when the server answered.
    let sqlState: String?
    /// The statement and what the server or the driver said.
    let message: String
}
