import Synchronization

/// Tasks suspended until one call wakes them all, and a value kept under the
/// same lock.
///
/// Deciding "there is nothing yet, so wait" and registering the waiter are
/// one step under the lock, so a wake that changes the value between a
/// caller's look and its wait is never missed. The commit notifier, the
/// server's shutdown gate and its claim waker are each this list with their
/// own value and condition.
package final class WaiterList<Value: Sendable>: Sendable {
    private struct State {
        var value: Value
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state: Mutex<State>

    /// Creates a list with no waiters and the given value.
    package init(_ value: Value) {
        state = Mutex(State(value: value))
    }

    /// The value as it is now.
    package var value: Value { state.withLock { $0.value } }

    /// True while some task waits.
    package var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Changes the value and wakes every waiting task, in one step so that a
    /// task that looks after the change sees it and does not wait.
    package func wakeAll(changing change: (inout Value) -> Void = { _ in }) {
        let waiters = state.withLock { state in
            change(&state.value)
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at the next `wakeAll`, when the task is cancelled, after
    /// `timeout` when one is given, or at once when `isDone` holds for the
    /// value or the task was cancelled already.
    package func wait(unless isDone: (Value) -> Bool = { _ in false }, timeout: Duration? = nil) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { state in
                    // A task cancelled before it got here already ran its
                    // cancellation handler, which found nothing to resume.
                    if isDone(state.value) || Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return true
                }
                guard registered else {
                    continuation.resume()
                    return
                }
                if let timeout {
                    Task { [self] in
                        try? await Task.sleep(for: timeout)
                        self.resume(id)
                    }
                }
            }
        } onCancel: {
            self.resume(id)
        }
    }

    private func resume(_ id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume()
    }
}
