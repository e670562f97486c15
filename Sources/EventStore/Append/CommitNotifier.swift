/// Wakes subscribers when this process commits new events.
///
/// A generation counter closes the race between "read found nothing" and
/// "start waiting": a waiter passes the generation it read before reading
/// the log and returns at once if a commit happened since.
package final class CommitNotifier: Sendable {
    private let waiters = WaiterList<UInt64>(0)

    /// Starts at generation 0.
    package init() {}

    /// The current generation; read it before reading the log.
    package var generation: UInt64 { waiters.value }

    /// Called after each commit that wrote events.
    package func notify() {
        waiters.wakeAll { $0 &+= 1 }
    }

    /// Waits until a commit after `generation`, the timeout, or cancellation.
    package func wait(after generation: UInt64, timeout: Duration) async {
        await waiters.wait(unless: { $0 != generation }, timeout: timeout)
    }
}
