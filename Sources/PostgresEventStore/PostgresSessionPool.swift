import EventStore
import Logging
import Synchronization

/// Connections for reads, opened as needed and kept while idle.
final class PostgresSessionPool: Sendable {
    private let location: PostgresLocation
    private let logger: Logger
    private let idle = Mutex<[PostgresSession]>([])
    private let nextID = Atomic<Int>(1)
    private let maxIdle: Int

    init(location: PostgresLocation, logger: Logger, maxIdle: Int = 16) {
        self.location = location
        self.logger = logger
        self.maxIdle = maxIdle
    }

    /// Runs `body` with a connection of its own.
    func withSession<R>(_ body: (PostgresSession) throws -> R) throws -> R {
        let session = try take()
        defer { give(session) }
        return try body(session)
    }

    /// A new connection that is never pooled: for the writer and the listener.
    func dedicatedSession() throws(EventStoreError) -> PostgresSession {
        try PostgresSession.connect(
            to: location, id: nextID.add(1, ordering: .relaxed).oldValue, logger: logger)
    }

    /// Closes every idle connection.
    func closeAll() {
        let sessions = idle.withLock { sessions in
            defer { sessions.removeAll() }
            return sessions
        }
        for session in sessions { session.close() }
    }

    private func take() throws(EventStoreError) -> PostgresSession {
        if let session = idle.withLock({ $0.popLast() }) { return session }
        return try dedicatedSession()
    }

    private func give(_ session: PostgresSession) {
        if session.isBroken {
            session.close()
            return
        }
        let kept = idle.withLock { sessions in
            guard sessions.count < maxIdle else { return false }
            sessions.append(session)
            return true
        }
        if !kept { session.close() }
    }
}
