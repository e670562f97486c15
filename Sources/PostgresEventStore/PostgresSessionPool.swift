import Dispatch
import EventStore
import Logging
import Synchronization

/// Connections for reads, opened as needed, kept while idle, and at most
/// ``maxOpen`` at once: a caller beyond that waits for one to come back,
/// so that a burst of requests neither opens and closes connections by the
/// hundred nor runs the server out of them (PostgreSQL allows 100 by
/// default, for every process of every server).
final class PostgresSessionPool: Sendable {
    /// Connections for reads a process may hold; the group committer's
    /// writer and the commit listener have one each besides.
    static let maxOpen = 24

    private let location: PostgresLocation
    private let logger: Logger
    private let idle = Mutex<[PostgresSession]>([])
    private let nextID = Atomic<Int>(1)
    private let slots = DispatchSemaphore(value: PostgresSessionPool.maxOpen)

    init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    /// Runs `body` with a connection of its own, waiting for one when all
    /// are in use.
    func withSession<R>(_ body: (PostgresSession) throws -> R) throws -> R {
        slots.wait()
        defer { slots.signal() }
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
        while let session = idle.withLock({ $0.popLast() }) {
            if !session.hasUnansweredFailure { return session }
            session.close()
        }
        return try dedicatedSession()
    }

    private func give(_ session: PostgresSession) {
        if session.isBroken || session.hasUnansweredFailure {
            session.close()
            return
        }
        idle.withLock { $0.append(session) }
    }
}
