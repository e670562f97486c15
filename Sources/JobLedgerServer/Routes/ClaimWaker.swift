import JobLedger
import ServiceLifecycle
import Synchronization

/// Wakes every waiting claim when a job may have become claimable without
/// a commit of this process: a job submitted by another process, or a
/// retry time coming due. One look at the queue per recheck interval for
/// the whole server, and only while claims wait, instead of one per
/// waiting claim: an idle server does nothing.
final class ClaimWaker: Sendable {
    private struct State {
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// True while some claim waits.
    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Returns at the next `wakeAll()` or when the task is cancelled.
    func wait() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { state in
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return true
                }
                if !registered { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Wakes every waiting claim.
    func wakeAll() {
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Looks at the queue every recheck interval while claims wait, and wakes
/// them when a job is claimable.
struct ClaimWakerService: Service {
    let state: ServerState

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: state.limits.claimRecheck)
            if state.claimWaker.hasWaiters, (try? state.ledger.hasClaimableJob()) == true {
                state.claimWaker.wakeAll()
            }
        }
    }
}
