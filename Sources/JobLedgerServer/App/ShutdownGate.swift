import EventStore

/// Opens once, when the server starts to shut down: waiting claims answer
/// "no job" at once, event streams end, new waits are not started.
public final class ShutdownGate: Sendable {
    /// The value is true once shutdown began.
    private let waiters = WaiterList(false)

    /// Creates an open gate.
    public init() {}

    /// True once shutdown began.
    public var isShuttingDown: Bool { waiters.value }

    /// Begins shutdown and wakes every waiter.
    public func close() {
        waiters.wakeAll { $0 = true }
    }

    /// Returns when shutdown begins or the task is cancelled.
    func wait() async {
        await waiters.wait(unless: { $0 })
    }
}
