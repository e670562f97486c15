import EventStore
import NIOCore
import PostgresNIO
import Synchronization

/// Listens for the ledger's commit notifications (of every process, this
/// one's included) on a connection of its own and calls `onNotification`
/// for each; reconnects when the connection drops. A lost notification
/// only delays a waiter until its timeout: every waiter reads the log
/// again after waking.
final class PostgresCommitListener: Sendable {
    private let task: Task<Void, Never>
    private let state: State

    private final class State: Sendable {
        let connection = Mutex<PostgresConnection?>(nil)
        let stopped = Atomic<Bool>(false)
    }

    /// Listens before it returns, so that every commit after the store's
    /// open is heard; a server that cannot be reached fails the open.
    init(pool: PostgresSessionPool, channel: String, onNotification: @escaping @Sendable () -> Void) throws(EventStoreError) {
        let first = try pool.dedicatedSession()
        first.connection.addListener(channel: channel) { _, _ in onNotification() }
        // The channel is made of a checked schema name (PostgresLocation).
        try first.query(PostgresQuery(unsafeSQL: "LISTEN \(channel)"))
        let state = State()
        self.state = state
        state.connection.withLock { $0 = first.connection }
        task = Task.detached {
            try? await first.connection.closeFuture.get()
            while !state.stopped.load(ordering: .acquiring) {
                try? await Task.sleep(for: .milliseconds(200))
                do {
                    let session = try pool.dedicatedSession()
                    state.connection.withLock { $0 = session.connection }
                    if state.stopped.load(ordering: .acquiring) {
                        try? await session.connection.close()
                        return
                    }
                    defer { state.connection.withLock { $0 = nil } }
                    do {
                        try await session.connection.listen(on: channel) { notifications in
                            onNotification()  // commits may have landed while no one listened
                            for try await _ in notifications { onNotification() }
                        }
                    } catch {}
                    try? await session.connection.close()
                } catch {
                    continue
                }
            }
        }
    }

    /// Stops listening and closes the connection, without waiting.
    func stop() {
        state.stopped.store(true, ordering: .releasing)
        task.cancel()
        if let connection = state.connection.withLock({ $0 }) { let _: EventLoopFuture<Void> = connection.close() }
    }
}
