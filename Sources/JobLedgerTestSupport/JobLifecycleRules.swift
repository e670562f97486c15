import JobLedger

/// The commands that stop or reopen a job, which only some actors may issue.
package enum StopKind: String, Sendable {
    /// Cancel: the owner or an admin of the job's organisation.
    case cancel
    /// Kill: an admin of the job's organisation.
    case kill
    /// Retry: the owner or an admin of the job's organisation.
    case retry
}

/// The job life cycle as the tests read it, written apart from
/// ``JobDecider`` and ``JobEvolver`` so that histories can be checked
/// against a second reading of the rules.
package enum JobLifecycleRules {
    /// Who may stop or retry a job: the owner may cancel and retry; an admin
    /// of the job's organisation may also kill; the system may do anything;
    /// workers and strangers may do nothing.
    package static func permits(_ actor: Actor, _ kind: StopKind, jobOwner: Actor) -> Bool {
        switch actor.role {
        case .system: return true
        case .admin: return actor.organisation == jobOwner.organisation
        case .user: return kind != .kill && actor.id == jobOwner.id && actor.organisation == jobOwner.organisation
        case .worker: return false
        }
    }

    /// The states an event may follow: a claim takes a pending job; worker
    /// reports need a running (or cancel-requested) job; only a pending or
    /// cancel-requested job can be cancelled; a kill stops any unfinished
    /// job; a retry reopens a failed, cancelled or killed job; and a finished
    /// job changes by nothing but a retry.
    package static func allowedBefore(_ event: JobEvent) -> Set<JobState> {
        switch event {
        case .submitted: return []
        case .claimed: return [.pending]
        case .leaseRenewed, .completed, .failed, .leaseExpired, .timedOut: return [.running, .cancelRequested]
        case .dependencyMet: return [.pending]
        case .attemptFailed, .cancelRequested: return [.running]
        case .cancelled: return [.pending, .cancelRequested]
        case .killed: return [.pending, .running, .cancelRequested]
        case .retried: return [.failed, .cancelled, .killed]
        case .archived: return [.completed, .failed, .cancelled, .killed]
        }
    }

    /// Where the job must be after `event`; `nil` when the event does not say.
    package static func stateAfter(_ event: JobEvent, before: Job?) -> JobState? {
        switch event {
        case .submitted, .attemptFailed, .retried: return .pending
        case .claimed: return .running
        case .leaseRenewed: return before?.state
        case .completed: return .completed
        case .failed: return .failed
        case .cancelRequested: return .cancelRequested
        case .cancelled: return .cancelled
        case .killed: return .killed
        case .leaseExpired(let data): return data.nextState
        case .timedOut(let data): return data.nextState
        case .dependencyMet: return .pending
        case .archived(let data): return data.state
        }
    }

    /// The audit outcome of the command that appended `event` (retention's
    /// snapshot, which no command appends, is checked apart).
    package static func auditOutcome(of event: JobEvent) -> JobOutcome {
        switch event {
        case .submitted: return .created
        case .claimed: return .claimed
        case .leaseRenewed: return .renewed
        case .completed: return .completed
        case .attemptFailed: return .retryScheduled
        case .failed: return .failed
        case .cancelRequested: return .cancelRequested
        case .cancelled: return .cancelled
        case .killed: return .killed
        case .leaseExpired: return .expired
        case .retried: return .retried
        case .timedOut: return .timedOut
        case .dependencyMet: return .dependencyMet
        case .archived: return .existing
        }
    }

    /// How many events a command that answered `outcome` appended to the
    /// job's stream: one for a change, none for a refusal or an answer such
    /// as `existing` or `already_completed`, and none or one for
    /// `cancel_requested` (asking again adds nothing).
    package static func eventsAppended(by outcome: JobOutcome) -> ClosedRange<Int> {
        switch outcome {
        case .created, .claimed, .renewed, .completed, .retryScheduled, .failed, .cancelled, .killed, .retried, .expired,
             .timedOut, .dependencyMet:
            return 1...1
        case .cancelRequested:
            return 0...1
        case .existing, .alreadyCancelled, .alreadyCompleted, .alreadyFailed, .alreadyKilled, .notFound, .forbidden,
             .notAllowed, .notLeaseHolder, .conflictingSubmission, .duplicate:
            return 0...0
        }
    }
}
