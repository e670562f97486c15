import Foundation
import Synchronization

/// Runs jobs from a `jobledger serve` server, as the in-process `Worker`
/// does from a ledger: claims them, runs a handler for each with up to
/// `concurrency` at once, keeps their leases alive, and settles them.
///
/// - A handler that returns completes the job with the returned result
///   (even when a cancel was requested meanwhile: the work was done).
/// - A handler that throws fails the attempt: retryable unless the error
///   is ``RemoteWorker/PermanentFailure``.
/// - A handler that throws ``RemoteJobStopped`` (from
///   ``RemoteJobContext/checkCancellation()``) acknowledges the cancel.
///
/// A cancel reaches the handler (``RemoteJobContext/isCancellationRequested``)
/// from the lease renewals, every `renewInterval`: a renewal's answer says
/// whether a cancel was requested, and a refused renewal means the job was
/// killed or its lease lost.
///
/// The worker claims with a long poll (`claimWait`), asking in one request
/// for as many jobs as it has free slots: the server answers as soon as a
/// job is claimable, and nothing runs on either side meanwhile. It
/// reports the ends of attempts in the same way: one settlement request
/// in flight at a time, and the jobs that end meanwhile go together in the
/// next (`POST /v1/settlements`), so a busy worker sends far fewer
/// requests than it settles jobs and a lone job waits for nothing. A
/// job's slot is free for the next claim once its handler ends, while its
/// settlement is on its way (at most `concurrency` such settlements at
/// once): `concurrency` bounds the handlers running, not the round trips.
/// Whatever happened to one job, the worker goes on claiming the next; when
/// the server is unreachable or busy it waits and tries again.
///
/// The client's token must be a worker token; the server records its worker
/// id on every claim and report. The client needs a connection for the
/// waiting claim and, at most, one per slot for the reports and renewals.
public final class RemoteWorker: Sendable {
    /// The code that does a job's work; returns the result, if any.
    public typealias Handler = @Sendable (RemoteJobContext) async throws -> JSONValue?

    /// A failure that retrying cannot fix: the attempt fails for good.
    public struct PermanentFailure: Error, Sendable, Hashable, CustomStringConvertible {
        /// What went wrong.
        public let message: String

        /// Creates a permanent failure.
        public init(_ message: String) { self.message = message }

        /// The message.
        public var description: String { message }
    }

    private let client: LedgerClient
    private let types: [String]?
    private let concurrency: Int
    private let lease: TimeInterval
    private let renewInterval: Duration
    private let claimWait: TimeInterval
    private let retryDelay: Duration
    private let handler: Handler
    private let onSettled: (@Sendable (RemoteSettlement) -> Void)?
    private let counters = Mutex(RemoteWorkerStatistics())
    private let settlements: SettlementBatcher
    /// Settlements under way whose jobs' slots were already freed.
    private let outstanding = Mutex(0)

    /// Creates a worker.
    ///
    /// - Parameters:
    ///   - client: a client with a worker token.
    ///   - types: the job types to claim; `nil` for any.
    ///   - lease: seconds each claim and renewal holds the job.
    ///   - renewInterval: seconds between renewals, and so how soon a cancel
    ///     reaches the handler; a third of the lease by default.
    ///   - claimWait: seconds the server may hold a claim waiting for a job.
    ///   - retryDelay: the pause after a failed request (longer when the
    ///     server says when to try again).
    ///   - onSettled: told of every settlement, as it is answered.
    public init(
        client: LedgerClient, types: [String]? = nil, concurrency: Int = 1, lease: TimeInterval = 30,
        renewInterval: TimeInterval? = nil, claimWait: TimeInterval = 20, retryDelay: Duration = .milliseconds(200),
        onSettled: (@Sendable (RemoteSettlement) -> Void)? = nil,
        handler: @escaping Handler
    ) {
        self.client = client
        self.settlements = SettlementBatcher(client: client)
        self.types = types
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.renewInterval = .milliseconds(Int64(max(0.001, renewInterval ?? lease / 3) * 1000))
        self.claimWait = max(0, claimWait)
        self.retryDelay = retryDelay
        self.onSettled = onSettled
        self.handler = handler
    }

    /// What the worker did so far.
    public var statistics: RemoteWorkerStatistics {
        var statistics = counters.withLock { $0 }
        statistics.settlementRequests = settlements.requests
        return statistics
    }

    /// Runs until the surrounding task is cancelled. Jobs in hand then are
    /// settled as their handlers end (a handler that stops on cancellation
    /// fails its attempt, retryable).
    public func run() async {
        await runSlots(untilIdle: false)
    }

    /// Runs until a claim finds no job at once, then returns what it did.
    @discardableResult
    public func runUntilIdle() async -> RemoteWorkerStatistics {
        await runSlots(untilIdle: true)
        return statistics
    }

    /// One claim at a time asks for as many jobs as there are free slots,
    /// and each job runs in a task of its own that frees its slot when it
    /// is settled. A claim that finds nothing waits on the server (the long
    /// poll); until it is answered no other claim is sent.
    private func runSlots(untilIdle: Bool) async {
        await claimLoop(FreeSlots(concurrency), untilIdle: untilIdle)
    }

    private func claimLoop(_ slots: FreeSlots, untilIdle: Bool) async {
        let wait = untilIdle ? 0 : claimWait
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                let free = await slots.takeAll()
                if free == 0 { break }  // cancelled while every slot was busy
                let asked = ContinuousClock.now
                let jobs: [LedgerJob]
                do {
                    jobs = try await client.claim(
                        upTo: min(free, LedgerClient.maxClaimCount), types: types, lease: lease, wait: wait)
                } catch is CancellationError {
                    slots.give(free)
                    break
                } catch {
                    slots.give(free)
                    counters.withLock { $0.record("claim: \(error)") }
                    try? await Task.sleep(for: pause(after: error))
                    continue
                }
                slots.give(free - jobs.count)
                if jobs.isEmpty {
                    if untilIdle { break }
                    // A claim answered empty well before its wait ended: the
                    // server is stopping. Pause instead of asking again at once.
                    if ContinuousClock.now - asked < .milliseconds(Int64(wait * 500)) {
                        try? await Task.sleep(for: retryDelay)
                    }
                    continue
                }
                let claimDuration = ContinuousClock.now - asked
                for job in jobs {
                    group.addTask { await self.process(job, claimDuration: claimDuration, slots: slots) }
                }
            }
        }
    }

    private func pause(after error: any Error) -> Duration {
        if let problem = error as? LedgerProblem, let seconds = problem.retryAfter {
            return .seconds(min(max(seconds, 0), 30))
        }
        return retryDelay
    }

    /// Runs the job's handler, then settles it. The job's slot is free
    /// again as soon as the handler ends, so that the next claim does not
    /// wait for the settlement's round trip, while fewer than
    /// `concurrency` settlements are outstanding; past that, a slot is
    /// freed only when its settlement is answered, so a server that is
    /// slow to settle slows the claims instead of piling up reports.
    private func process(_ job: LedgerJob, claimDuration: Duration, slots: FreeSlots) async {
        let context = RemoteJobContext(job: job, claimDuration: claimDuration)
        let renewer = Task { await self.keepLeaseAlive(context) }
        let outcome: Result<JSONValue?, any Error>
        do {
            outcome = .success(try await handler(context))
        } catch {
            outcome = .failure(error)
        }
        renewer.cancel()
        let freedEarly = outstanding.withLock { count in
            guard count < concurrency else { return false }
            count += 1
            return true
        }
        if freedEarly { slots.give(1) }
        // Reported from a task of its own: a worker being stopped still
        // settles what its handlers finished.
        await Task { await self.settle(context, outcome) }.value
        if freedEarly {
            outstanding.withLock { $0 -= 1 }
        } else {
            slots.give(1)
        }
    }

    private func keepLeaseAlive(_ context: RemoteJobContext) async {
        let id = context.job.id
        while !Task.isCancelled {
            try? await Task.sleep(for: renewInterval)
            if Task.isCancelled { return }
            do {
                let renewal = try await client.renew(id, attempt: context.attempt, lease: lease)
                if renewal.cancelRequested { context.markStopped(.cancelRequested) }
                if renewal.timedOut == true {
                    // The attempt ran out of time and is over: stop the handler.
                    context.markStopped(renewal.job.state)
                    return
                }
            } catch is CancellationError {
                return
            } catch let problem as LedgerProblem where !problem.isTransient {
                context.markStopped(await stateAfterRefusal(problem, context))
                counters.withLock { $0.renewalsRefused += 1 }
                return
            } catch {
                // The server unreachable or busy: the lease may still hold;
                // try again at the next interval.
                counters.withLock { $0.record("renew \(id): \(error)") }
            }
        }
    }

    /// Why a renewal was refused: a lost lease, else the job's state now.
    private func stateAfterRefusal(_ problem: LedgerProblem, _ context: RemoteJobContext) async -> LedgerJob.State {
        if problem.outcome == .notLeaseHolder { return .pending }
        if let job = try? await client.job(context.job.id), job.attempt == context.attempt, job.state != .running {
            return job.state
        }
        return .killed
    }

    private func settle(_ context: RemoteJobContext, _ outcome: Result<JSONValue?, any Error>) async {
        let id = context.job.id
        let attempt = context.attempt
        let kind: RemoteSettlement.Kind
        let ending: Settlement.Outcome
        switch outcome {
        case .success(let result):
            kind = .completed
            ending = .complete(result: result)
        case .failure(let error as RemoteJobStopped):
            counters.withLock { $0.cancelled += 1 }
            guard error.state == .cancelRequested else {
                onSettled?(RemoteSettlement(jobID: id, attempt: attempt, kind: .stopped, acknowledged: false))
                return
            }
            kind = .cancelAcknowledged
            ending = .acknowledgeCancel
        case .failure(let error):
            kind = .failed
            ending = .fail(error: String(describing: error), retryable: !(error is PermanentFailure))
        }
        let report = Settlement(jobID: id, attempt: attempt, outcome: ending)
        var settlement = RemoteSettlement(jobID: id, attempt: attempt, kind: kind, acknowledged: false)
        let started = ContinuousClock.now
        defer {
            settlement.duration = ContinuousClock.now - started
            onSettled?(settlement)
        }
        var delay = retryDelay
        for _ in 0..<8 {
            do {
                // A refusal throws, as the settlement's own route would.
                if case .refused(let problem) = try await settlements.settle(report) { throw problem }
                settlement.acknowledged = true
                counters.withLock { statistics in
                    switch kind {
                    case .completed: statistics.completed += 1
                    case .failed: statistics.failed += 1
                    case .cancelAcknowledged, .stopped: break
                    }
                }
                return
            } catch let problem as LedgerProblem where !problem.isTransient {
                // The job moved on without us (killed, lease lost): nothing to settle.
                settlement.refusal = problem
                counters.withLock { $0.settlementsRefused += 1 }
                return
            } catch {
                counters.withLock { $0.record("\(kind.rawValue) \(id): \(error)") }
                try? await Task.sleep(for: max(delay, pause(after: error)))
                delay = min(delay * 2, .seconds(5))
            }
        }
        counters.withLock { $0.settlementsLost += 1 }
    }
}
