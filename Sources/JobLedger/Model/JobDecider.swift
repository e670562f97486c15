import Foundation

/// The job state machine's rules: one pure function from the current state
/// and a command to the events to append, or a refusal.
///
/// Commands, projections and replay all share it (with ``JobEvolver``), so
/// there is one definition of what a job may do.
public enum JobDecider {
    /// Decides `command` against `job` (`nil` when the job does not exist) at `now`.
    public static func decide(
        _ job: Job?, _ command: JobCommand, now: Date, policy: RetryPolicy = RetryPolicy()
    ) -> JobDecision {
        let now = JSONCoding.truncated(now)
        if case .submit(let submission) = command {
            guard let job else { return .accepted([.submitted(submission)], .created) }
            // Names compare as bytes of their stored form (``NameRule``), as
            // the indexes compare them, never by canonical equivalence.
            if !NameRule.same(job.type, submission.type) {
                return .refused(.conflictingSubmission(reason: "job exists with type '\(job.type)'"))
            }
            if !NameRule.same(job.owner, submission.owner) {
                return .refused(.conflictingSubmission(reason: "job exists with another owner"))
            }
            return .accepted([], .existing)
        }
        guard let job else { return .refused(.notFound) }

        switch command {
        case .submit:
            fatalError("handled above")

        case let .claim(worker, lease):
            guard job.state == .pending else { return .refused(.invalidTransition(from: job.state)) }
            guard job.availableAt <= now, job.waitingFor.isEmpty else { return .refused(.invalidTransition(from: job.state)) }
            // A stored attempt number may be anything; the last one has no next.
            let (next, overflow) = job.attempt.addingReportingOverflow(1)
            guard !overflow else { return .refused(.invalidTransition(from: job.state)) }
            return .accepted([.claimed(.init(worker: worker, attempt: next, leaseUntil: JSONCoding.truncated(now + lease)))], .claimed)

        case let .renewLease(worker, attempt, lease):
            if let refusal = leaseRefusal(job, worker: worker, attempt: attempt) { return .refused(refusal) }
            return .accepted([.leaseRenewed(.init(worker: worker, attempt: attempt, leaseUntil: JSONCoding.truncated(now + lease)))], .renewed)

        case let .complete(worker, attempt, result):
            if let refusal = leaseRefusal(job, worker: worker, attempt: attempt) { return .refused(refusal) }
            return .accepted([.completed(.init(worker: worker, attempt: attempt, result: result))], .completed)

        case let .fail(worker, attempt, error, retryable):
            if let refusal = leaseRefusal(job, worker: worker, attempt: attempt) { return .refused(refusal) }
            if retryable && job.state == .cancelRequested {
                // The owner asked to stop: no retry, the job ends cancelled.
                return .accepted(
                    [.cancelled(.init(actor: worker, reason: job.stopReason ?? "cancel requested"))], .cancelled)
            }
            if retryable && job.attemptsLeft > 0 {
                let retryAt = JSONCoding.truncated(now + policy.delay(afterAttempt: attempt))
                return .accepted(
                    [.attemptFailed(.init(worker: worker, attempt: attempt, error: error, retryAt: retryAt))],
                    .retryScheduled)
            }
            return .accepted([.failed(.init(worker: worker, attempt: attempt, error: error, retryable: retryable))], .failed)

        case let .cancel(actor, reason):
            guard mayStop(job, actor: actor, adminOnly: false) else {
                return .refused(.forbidden(reason: "only the owner or an admin of '\(job.organisation)' may cancel"))
            }
            switch job.state {
            case .pending: return .accepted([.cancelled(.init(actor: actor.id, reason: reason))], .cancelled)
            case .running: return .accepted([.cancelRequested(.init(actor: actor.id, reason: reason))], .cancelRequested)
            case .cancelRequested: return .accepted([], .cancelRequested)
            case .completed, .failed, .cancelled, .killed: return .accepted([], JobOutcome.already(job.state)!)
            }

        case let .acknowledgeCancel(worker, attempt):
            if let refusal = leaseRefusal(job, worker: worker, attempt: attempt) { return .refused(refusal) }
            guard job.state == .cancelRequested else { return .refused(.invalidTransition(from: job.state)) }
            return .accepted(
                [.cancelled(.init(actor: worker, reason: job.stopReason ?? "cancel requested"))], .cancelled)

        case let .kill(actor, reason):
            guard mayStop(job, actor: actor, adminOnly: true) else {
                return .refused(.forbidden(reason: "only an admin of '\(job.organisation)' may kill"))
            }
            if let already = JobOutcome.already(job.state) { return .accepted([], already) }
            return .accepted([.killed(.init(actor: actor.id, reason: reason))], .killed)

        case let .retry(actor):
            guard mayStop(job, actor: actor, adminOnly: false) else {
                return .refused(.forbidden(reason: "only the owner or an admin of '\(job.organisation)' may retry"))
            }
            switch job.state {
            case .failed, .cancelled, .killed: return .accepted([.retried(.init(actor: actor.id))], .retried)
            case .pending, .running, .cancelRequested, .completed: return .refused(.invalidTransition(from: job.state))
            }

        case .timeOut:
            return timeOut(job, now: now, policy: policy)

        case let .resolveDependency(dependency, state, cause):
            return resolve(job, dependency: dependency, state: state, cause: cause)

        case .expireLease:
            guard job.state == .running || job.state == .cancelRequested,
                  let leaseUntil = job.leaseUntil, leaseUntil < now
            else { return .refused(.invalidTransition(from: job.state)) }
            let (next, retryAt) = endOfInterruptedAttempt(job, now: now, policy: policy)
            return .accepted(
                [.leaseExpired(.init(worker: job.worker ?? "", attempt: job.attempt, nextState: next, retryAt: retryAt))],
                .expired)
        }
    }

    /// The end of an attempt that ran past its deadline: like an expired
    /// lease, back to pending with attempts left, failed without, and
    /// cancelled when a cancel was pending.
    private static func timeOut(_ job: Job, now: Date, policy: RetryPolicy) -> JobDecision {
        guard job.state == .running || job.state == .cancelRequested,
              let deadline = job.deadline, deadline <= now, let timeout = job.timeout
        else { return .refused(.invalidTransition(from: job.state)) }
        let (next, retryAt) = endOfInterruptedAttempt(job, now: now, policy: policy)
        let millis = Int((timeout * 1000).rounded())
        return .accepted(
            [.timedOut(.init(worker: job.worker ?? "", attempt: job.attempt, nextState: next, retryAt: retryAt, timeoutMillis: millis))],
            .timedOut)
    }

    /// Where an attempt that the ledger ended (its lease lapsed, or it ran
    /// past its deadline) leaves the job: cancelled when a cancel was
    /// pending, pending again after the retry delay with attempts left,
    /// failed without.
    private static func endOfInterruptedAttempt(
        _ job: Job, now: Date, policy: RetryPolicy
    ) -> (next: JobState, retryAt: Date?) {
        if job.state == .cancelRequested { return (.cancelled, nil) }
        if job.attemptsLeft > 0 {
            return (.pending, JSONCoding.truncated(now + policy.delay(afterAttempt: job.attempt)))
        }
        return (.failed, nil)
    }

    /// A waiting job hears that one of the jobs it waits for ended.
    private static func resolve(_ job: Job, dependency: String, state: JobState, cause: String?) -> JobDecision {
        guard job.state == .pending, job.waitingFor.contains(dependency) else {
            return .refused(.invalidTransition(from: job.state))
        }
        switch state {
        case .completed:
            return .accepted([.dependencyMet(.init(dependency: dependency))], .dependencyMet)
        case .failed, .cancelled, .killed:
            let reason = cause ?? "dependency '\(dependency)' \(state.rawValue)"
            return .accepted([.cancelled(.init(actor: Actor.system.id, reason: reason))], .cancelled)
        case .pending, .running, .cancelRequested:
            return .refused(.invalidTransition(from: job.state))
        }
    }

    /// A worker may act on a job only for the attempt whose lease it holds.
    private static func leaseRefusal(_ job: Job, worker: String, attempt: Int) -> JobRefusal? {
        guard job.state == .running || job.state == .cancelRequested else {
            return .invalidTransition(from: job.state)
        }
        guard NameRule.same(job.worker, worker), job.attempt == attempt else {
            return .notLeaseHolder(holder: job.worker, currentAttempt: job.attempt)
        }
        return nil
    }

    /// The system may do anything; an admin of the job's organisation may
    /// stop or retry it; the owner may cancel or retry it but not kill it.
    /// Ids and organisations compare as bytes (``NameRule/same(_:_:)``).
    static func mayStop(_ job: Job, actor: Actor, adminOnly: Bool) -> Bool {
        switch actor.role {
        case .system: return true
        case .admin: return NameRule.same(actor.organisation, job.organisation)
        case .user:
            return !adminOnly && NameRule.same(actor.id, job.owner) && NameRule.same(actor.organisation, job.organisation)
        case .worker: return false
        }
    }
}
