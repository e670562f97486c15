import Foundation
import Synchronization

/// Tells a worker's running handlers of a cancel or kill soon after it is
/// committed, instead of at the job's next lease renewal.
///
/// The watcher wakes when this process commits anything (a cancel from the
/// same process is seen at once) and at least every `pollInterval` (a cancel
/// from another process), then reads the current state of each job in hand.
/// It never reads more often than every `minimumGap`, so a busy ledger does
/// not turn every commit into reads.
final class CancelWatcher: Sendable {
    private let ledger: JobLedger
    private let pollInterval: Duration
    private let minimumGap: Duration
    private let inHand = Mutex<[String: JobContext]>([:])

    init(ledger: JobLedger, pollInterval: Duration, minimumGap: Duration = .milliseconds(2)) {
        self.ledger = ledger
        self.pollInterval = pollInterval
        self.minimumGap = minimumGap
    }

    /// Starts watching a job while its handler runs.
    func watch(_ context: JobContext) {
        inHand.withLock { $0[context.job.id] = context }
    }

    /// Stops watching a job whose handler returned.
    func forget(_ context: JobContext) {
        _ = inHand.withLock { $0.removeValue(forKey: context.job.id) }
    }

    /// Watches until the task is cancelled.
    func run() async {
        let store = ledger.store
        while !Task.isCancelled {
            let generation = store.commitGeneration
            check()
            try? await Task.sleep(for: minimumGap)
            await store.waitForCommit(after: generation, timeout: pollInterval)
        }
    }

    /// Marks every job in hand that was asked to stop for the same attempt.
    func check() {
        let contexts = inHand.withLock { Array($0.values) }
        for context in contexts {
            _ = try? context.stoppedStateReadingLedger()
        }
    }
}
