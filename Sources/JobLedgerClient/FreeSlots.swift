import Synchronization

/// The free slots of a ``RemoteWorker``: jobs give theirs back as they are
/// settled; the worker's one claiming loop takes all that are free at once,
/// waiting while none is. Never blocks a thread: the waiting taker is a
/// suspended task, resumed by the next give, by ``close()``, or by its
/// cancellation (then it gets 0: the worker is stopping).
final class FreeSlots: Sendable {
    private struct State {
        var free: Int
        var waiter: CheckedContinuation<Int, Never>?
        var closed = false

        /// Every free slot (0 once closed), or nil when none is free.
        mutating func takeAll() -> Int? {
            if closed { return 0 }
            guard free > 0 else { return nil }
            defer { free = 0 }
            return free
        }
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(free: count))
    }

    /// Takes every free slot, waiting for one when none is free; 0 when the
    /// task was cancelled or the slots closed meanwhile.
    func takeAll() async -> Int {
        if let taken = state.withLock({ $0.takeAll() }) { return taken }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
                let ready: Int? = state.withLock { state in
                    if Task.isCancelled { return 0 }
                    if let taken = state.takeAll() { return taken }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    /// Returns `count` slots, waking the taker if it waits.
    func give(_ count: Int) {
        guard count > 0 else { return }
        let resume: (CheckedContinuation<Int, Never>, Int)? = state.withLock { state in
            state.free += count
            guard let waiter = state.waiter, let taken = state.takeAll() else { return nil }
            state.waiter = nil
            return (waiter, taken)
        }
        if let (waiter, taken) = resume { waiter.resume(returning: taken) }
    }

    /// Ends waiting: the waiting or a later taker gets 0.
    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: 0)
    }
}
