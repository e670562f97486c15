import Foundation
import Synchronization

/// Runs jobs: claims them, runs a handler for each with up to
/// `concurrency` at once, keeps their leases alive, and settles them.
///
/// - A handler that returns completes the job with the returned JSON
///   result (even when a cancel was requested meanwhile: the work was done).
/// - A handler that throws fails the attempt: retryable unless the error
///   is ``PermanentJobFailure``.
/// - A handler that throws ``JobCancellationError`` (from
///   ``JobContext/checkCancellation()``) acknowledges the cancel.
///
/// A cancel or kill reaches the handler (``JobContext/isCancellationRequested``)
/// from the lease renewals and, sooner, from a watcher that reads the jobs in
/// hand whenever this process commits and every `cancelPollInterval`.
///
/// Whatever happened to one job, the worker goes on claiming the next.
public final class Worker: Sendable {
    /// The code that does a job's work; returns the JSON result, if any.
    public typealias Handler = @Sendable (JobContext) async throws -> String?

    /// The worker's id, recorded on every claim and settlement.
    public let id: String
    private let ledger: JobLedger
    private let types: Set<String>?
    private let concurrency: Int
    private let lease: TimeInterval
    private let renewInterval: TimeInterval
    private let idleWait: Duration
    private let handler: Handler
    private let counters = Mutex(WorkerStatistics())
    private let cancelWatcher: CancelWatcher?

    /// Creates a worker.
    ///
    /// - Parameters:
    ///   - lease: seconds each claim and renewal holds the job.
    ///   - renewInterval: seconds between renewals; a third of the lease by default.
    ///   - idleWait: how long to wait when no job is available.
    ///   - cancelPollInterval: how often to look for a cancel or kill of a
    ///     job in hand made by another process; one made by this process is
    ///     seen as soon as it is committed. `nil`: only lease renewals tell.
    public init(
        ledger: JobLedger, id: String, types: Set<String>? = nil, concurrency: Int = 1,
        lease: TimeInterval = 30, renewInterval: TimeInterval? = nil, idleWait: Duration = .milliseconds(50),
        cancelPollInterval: Duration? = .milliseconds(20),
        handler: @escaping Handler
    ) {
        cancelWatcher = cancelPollInterval.map { CancelWatcher(ledger: ledger, pollInterval: $0) }
        self.ledger = ledger
        self.id = id
        self.types = types
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.renewInterval = renewInterval ?? lease / 3
        self.idleWait = idleWait
        self.handler = handler
    }

    /// What the worker did so far.
    public var statistics: WorkerStatistics { counters.withLock { $0 } }

    /// Runs until the surrounding task is cancelled.
    public func run() async {
        await runSlots(untilIdle: false)
    }

    /// Runs until no job is available, then returns what it did.
    @discardableResult
    public func runUntilIdle() async -> WorkerStatistics {
        await runSlots(untilIdle: true)
        return statistics
    }

    private func runSlots(untilIdle: Bool) async {
        let watching = cancelWatcher.map { watcher in Task { await watcher.run() } }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask { await self.slot(untilIdle: untilIdle) }
            }
        }
        watching?.cancel()
    }

    private func slot(untilIdle: Bool) async {
        while !Task.isCancelled {
            let job: Job?
            do {
                job = try await ledger.claim(worker: id, types: types, lease: lease)
            } catch {
                counters.withLock { $0.errors.append("claim: \(error)") }
                try? await Task.sleep(for: idleWait)
                continue
            }
            guard let job else {
                if untilIdle { return }
                try? await Task.sleep(for: idleWait)
                continue
            }
            await process(job)
        }
    }

    private func process(_ job: Job) async {
        let context = JobContext(job: job, ledger: ledger)
        cancelWatcher?.watch(context)
        defer { cancelWatcher?.forget(context) }
        let renewer = Task { await self.keepLeaseAlive(context) }
        let outcome: Result<String?, any Error>
        do {
            outcome = .success(try await handler(context))
        } catch {
            outcome = .failure(error)
        }
        renewer.cancel()
        await settle(context, outcome)
    }

    private func keepLeaseAlive(_ context: JobContext) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(renewInterval))
            if Task.isCancelled { return }
            do {
                let renewal = try await ledger.renewLease(context.job.id, worker: id, attempt: context.attempt, lease: lease)
                if renewal.cancelRequested { context.markStopped(.cancelRequested) }
                if renewal.timedOut {
                    // The attempt is over: nothing this worker settles for it counts.
                    context.markStopped(renewal.job.state)
                    counters.withLock { $0.timedOut += 1 }
                    return
                }
            } catch {
                if error.code == .invalidTransition, let state = error.state { context.markStopped(state) }
                if error.code == .notLeaseHolder { context.markStopped(.pending) }
                counters.withLock { $0.renewalsRefused += 1 }
                return
            }
        }
    }

    private func settle(_ context: JobContext, _ outcome: Result<String?, any Error>) async {
        let jobID = context.job.id
        let attempt = context.attempt
        do {
            switch outcome {
            case .success(let result):
                _ = try await ledger.complete(jobID, worker: id, attempt: attempt, result: result)
                counters.withLock { $0.completed += 1 }
            case .failure(let error as JobCancellationError):
                if error.state == .cancelRequested {
                    _ = try await ledger.acknowledgeCancel(jobID, worker: id, attempt: attempt)
                }
                counters.withLock { $0.cancelled += 1 }
            case .failure(let error):
                let permanent = error is PermanentJobFailure
                _ = try await ledger.fail(jobID, worker: id, attempt: attempt, error: String(describing: error), retryable: !permanent)
                counters.withLock { $0.failed += 1 }
            }
        } catch {
            // The job moved on without us (killed, lease lost): nothing to settle.
            counters.withLock { $0.settlementsRefused += 1 }
        }
    }
}

/// Counts of what a ``Worker`` did.
public struct WorkerStatistics: Sendable, Hashable {
    /// Jobs completed.
    public var completed = 0
    /// Attempts failed (retryable or not).
    public var failed = 0
    /// Jobs stopped after a cancel request or a kill.
    public var cancelled = 0
    /// Settlements the ledger refused because the job had moved on.
    public var settlementsRefused = 0
    /// Lease renewals refused.
    public var renewalsRefused = 0
    /// Attempts whose renewal answered that they ran past the job's timeout.
    public var timedOut = 0
    /// Errors met while claiming.
    public var errors: [String] = []
}
