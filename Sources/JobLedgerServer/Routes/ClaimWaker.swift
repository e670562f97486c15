import EventStore
import JobLedger
import ServiceLifecycle

/// Wakes every waiting claim when a job may have become claimable without
/// a commit of this process: a job submitted by another process, or a
/// retry time coming due. One look at the queue per recheck interval for
/// the whole server, and only while claims wait, instead of one per
/// waiting claim: an idle server does nothing.
final class ClaimWaker: Sendable {
    private let waiters = WaiterList(())

    /// True while some claim waits.
    var hasWaiters: Bool { waiters.hasWaiters }

    /// Returns at the next `wakeAll()` or when the task is cancelled.
    func wait() async {
        await waiters.wait()
    }

    /// Wakes every waiting claim.
    func wakeAll() {
        waiters.wakeAll()
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
