import Foundation

/// A request to change one job, checked by ``JobDecider/decide(_:_:now:policy:)``.
public enum JobCommand: Sendable, Hashable {
    /// Create the job (or find the one that exists under this id).
    case submit(JobEvent.Submitted)
    /// Take the job for a new attempt with a lease of `lease` seconds.
    case claim(worker: String, lease: TimeInterval)
    /// Extend the lease of the attempt the worker holds.
    case renewLease(worker: String, attempt: Int, lease: TimeInterval)
    /// Finish the attempt successfully.
    case complete(worker: String, attempt: Int, result: String?)
    /// Finish the attempt unsuccessfully.
    case fail(worker: String, attempt: Int, error: String, retryable: Bool)
    /// Ask for the job to stop; pending jobs stop at once.
    case cancel(actor: Actor, reason: String)
    /// The worker confirms it stopped after a cancel request.
    case acknowledgeCancel(worker: String, attempt: Int)
    /// Stop the job without the worker's cooperation (administrators).
    case kill(actor: Actor, reason: String)
    /// Put a failed, cancelled or killed job back to pending.
    case retry(actor: Actor)
    /// Move a job whose lease ran out.
    case expireLease
    /// End the attempt of a running job past its deadline (its timeout).
    case timeOut
    /// Tell a waiting job that `dependency` ended in `state`: a completion
    /// brings it closer to running, any other end cancels it, with `cause`
    /// as the reason when given (the first cause of a chain of such
    /// cancels), else `dependency 'ID' STATE`.
    case resolveDependency(dependency: String, state: JobState, cause: String? = nil)

    /// Whether the decision stays right when the job only had its lease
    /// renewed since it was read: cancel and kill do not depend on the
    /// lease, so a heartbeat must not make them conflict (a batch of stuck
    /// jobs whose workers still heartbeat could otherwise never be killed).
    public var commutesWithLeaseRenewals: Bool {
        switch self {
        case .cancel, .kill: return true
        default: return false
        }
    }

    /// The action name recorded in audit entries.
    public var action: String {
        switch self {
        case .submit: return "submit"
        case .claim: return "claim"
        case .renewLease: return "renewLease"
        case .complete: return "complete"
        case .fail: return "fail"
        case .cancel: return "cancel"
        case .acknowledgeCancel: return "acknowledgeCancel"
        case .kill: return "kill"
        case .retry: return "retry"
        case .expireLease: return "expireLease"
        case .timeOut: return "timeOut"
        case .resolveDependency: return "resolveDependency"
        }
    }
}

/// What a command achieved. Raw values are the names the command line and
/// audit entries use.
public enum JobOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case created, existing
    /// A submission whose unique key another job holds: nothing was
    /// created, the answer is the job that holds the key.
    case duplicate
    case claimed, renewed, completed
    case retryScheduled = "retry_scheduled"
    case failed, cancelled
    case cancelRequested = "cancel_requested"
    case alreadyCancelled = "already_cancelled"
    case alreadyCompleted = "already_completed"
    case alreadyFailed = "already_failed"
    case alreadyKilled = "already_killed"
    case killed, retried, expired
    case timedOut = "timed_out"
    case dependencyMet = "dependency_met"
    case notFound = "not_found"
    case forbidden
    case notAllowed = "not_allowed"
    case notLeaseHolder = "not_lease_holder"
    case conflictingSubmission = "conflicting_submission"

    /// The `already_*` outcome for a job that reached `state`.
    static func already(_ state: JobState) -> JobOutcome? {
        switch state {
        case .completed: return .alreadyCompleted
        case .failed: return .alreadyFailed
        case .cancelled: return .alreadyCancelled
        case .killed: return .alreadyKilled
        case .pending, .running, .cancelRequested: return nil
        }
    }
}

/// Why a command was refused.
public enum JobRefusal: Sendable, Hashable {
    /// No job has this id.
    case notFound
    /// The actor may not do this to this job.
    case forbidden(reason: String)
    /// The job's state does not allow this command.
    case invalidTransition(from: JobState)
    /// The worker does not hold the lease of that attempt.
    case notLeaseHolder(holder: String?, currentAttempt: Int)
    /// A job with this id exists with another type or owner.
    case conflictingSubmission(reason: String)

    /// The outcome recorded in the refusal's audit entry.
    public var outcome: JobOutcome {
        switch self {
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .invalidTransition: return .notAllowed
        case .notLeaseHolder: return .notLeaseHolder
        case .conflictingSubmission: return .conflictingSubmission
        }
    }

    /// The refusal as the stable sentence recorded in the audit entry's
    /// `detail` (Docs/Jobs.md lists them), the same in every release:
    ///
    /// - `no such job`
    /// - the forbidden reason, e.g. `only the owner or an admin of 'acme' may cancel`
    /// - `not allowed in state completed`
    /// - `attempt 2 is held by worker 'w1'` (or `by no worker`)
    /// - the conflicting submission's reason, e.g. `job exists with another owner`
    public var detail: String {
        switch self {
        case .notFound: return "no such job"
        case .forbidden(let reason): return reason
        case .invalidTransition(let state): return "not allowed in state \(state.rawValue)"
        case let .notLeaseHolder(holder, attempt):
            return "attempt \(attempt) is held by " + (holder.map { "worker '\($0)'" } ?? "no worker")
        case .conflictingSubmission(let reason): return reason
        }
    }
}

/// The answer of the decide function.
public enum JobDecision: Sendable, Hashable {
    /// The command is accepted: append these events (possibly none, for
    /// answers such as `already_completed`).
    case accepted([JobEvent], JobOutcome)
    /// The command is refused; nothing but an audit entry is written.
    case refused(JobRefusal)
}

/// How failed attempts are spaced out.
public struct RetryPolicy: Sendable, Hashable {
    /// Wait before the second attempt; doubles for each further attempt.
    public var baseDelay: TimeInterval = 1
    /// Longest wait between attempts.
    public var maxDelay: TimeInterval = 3600

    /// Creates a policy.
    public init(baseDelay: TimeInterval = 1, maxDelay: TimeInterval = 3600) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Delay after the failure of attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        // `attempt` may come from a stored job: no arithmetic on it that can trap.
        let exponent = attempt <= 1 ? 0 : Double(min(attempt, 41) - 1)
        return min(maxDelay, baseDelay * pow(2, exponent))
    }
}
