import Synchronization

/// The free slots of a ``RemoteWorker``: jobs give theirs back as they are
/// settled; a claiming loop takes all that are free at once, waiting while
/// none is. Never blocks a thread: a waiting taker is a suspended task,
/// resumed (first come, first served) by the next give, by ``close()``, or
/// by its cancellation (then every taker gets 0: the worker is stopping).
final class FreeSlots: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Int, Never>] = []
        var closed = false
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(free: count))
    }

    /// Takes every free slot, waiting for one when none is free; 0 when the
    /// task was cancelled or the slots closed meanwhile.
    func takeAll() async -> Int {
        if let taken = tryTakeAll() { return taken }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
                let ready: Int? = state.withLock { state in
                    if state.closed || Task.isCancelled { return 0 }
                    if state.free > 0 {
                        defer { state.free = 0 }
                        return state.free
                    }
                    state.waiters.append(continuation)
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
            guard !state.waiters.isEmpty else { return nil }
            let waiter = state.waiters.removeFirst()
            defer { state.free = 0 }
            return (waiter, state.free)
        }
        if let (waiter, taken) = resume { waiter.resume(returning: taken) }
    }

    /// Ends waiting: every waiting or later taker gets 0.
    func close() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: 0) }
    }

    private func tryTakeAll() -> Int? {
        state.withLock { state in
            if state.closed { return 0 }
            guard state.free > 0 else { return nil }
            defer { state.free = 0 }
            return state.free
        }
    }
}
