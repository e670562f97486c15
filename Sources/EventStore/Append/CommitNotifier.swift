import Synchronization

/// Wakes subscribers when this process commits new events.
///
/// A generation counter closes the race between "read found nothing" and
/// "start waiting": a waiter passes the generation it read before reading
/// the log and returns at once if a commit happened since.
final class CommitNotifier: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// The current generation; read it before reading the log.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Called after each commit that wrote events.
    func notify() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until a commit after `generation`, the timeout, or cancellation.
    func wait(after generation: UInt64, timeout: Duration) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { state in
                    // A task cancelled before it got here already ran its
                    // cancellation handler, which found nothing to resume.
                    if state.generation != generation || Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return true
                }
                guard registered else {
                    continuation.resume()
                    return
                }
                Task { [self] in
                    try? await Task.sleep(for: timeout)
                    self.resume(id)
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
