import EventStore
import NIOCore
import PostgresNIO
import Synchronization

/// Listens for other processes' commit notifications on a connection of
/// its own and calls `onNotification` for each; reconnects when the
/// connection drops. A lost notification only delays a waiter until its
/// timeout: every waiter reads the log again after waking.
final class PostgresCommitListener: Sendable {
    private let task: Task<Void, Never>
    private let state: State

    private final class State: Sendable {
        let connection = Mutex<PostgresConnection?>(nil)
        let stopped = Atomic<Bool>(false)
    }

    init(pool: PostgresSessionPool, channel: String, onNotification: @escaping @Sendable () -> Void) throws(EventStoreError) {
        // The first connection is made here, so that a server that cannot
        // be reached fails the open rather than a background task.
        let first = try pool.dedicatedSession()
        let state = State()
        self.state = state
        state.connection.withLock { $0 = first.connection }
        task = Task.detached {
            var next: PostgresSession? = first
            while !state.stopped.load(ordering: .acquiring) {
                do {
                    let session = try next ?? pool.dedicatedSession()
                    next = nil
                    state.connection.withLock { $0 = session.connection }
                    if state.stopped.load(ordering: .acquiring) {
                        try? await session.connection.close()
                        return
                    }
                    do {
                        try await session.connection.listen(on: channel) { notifications in
                            onNotification()  // a commit may have landed while no one listened
                            for try await _ in notifications { onNotification() }
                        }
                    } catch {
                        try? await session.connection.close()
                        throw error
                    }
                    try? await session.connection.close()
                } catch {
                    if state.stopped.load(ordering: .acquiring) { return }
                    try? await Task.sleep(for: .milliseconds(200))
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
