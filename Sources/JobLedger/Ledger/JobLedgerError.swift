import EventStore

/// Everything a job command can refuse or fail with.
public enum JobLedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No job has this id.
    case notFound(jobID: String)
    /// The actor may not do this to the job.
    case forbidden(jobID: String, actor: String, action: String, reason: String)
    /// The job's state does not allow the command.
    case invalidTransition(jobID: String, state: JobState, action: String)
    /// The worker does not hold the lease of that attempt (it expired, or
    /// the job was claimed again).
    case notLeaseHolder(jobID: String, worker: String, attempt: Int, holder: String?, currentAttempt: Int)
    /// A job with this id exists with another type or owner.
    case conflictingSubmission(jobID: String, reason: String)
    /// A field of the command is invalid; nothing was written.
    case invalidInput(field: String, reason: String)
    /// Concurrent changes kept winning; the command gave up after `attempts` tries.
    case conflictRetriesExhausted(jobID: String, attempts: Int)
    /// The event store failed.
    case store(EventStoreError)

    /// A sentence naming the job, the state and what went wrong.
    public var description: String {
        switch self {
        case let .notFound(id): return "job '\(id)' not found"
        case let .forbidden(id, actor, action, reason): return "\(actor) may not \(action) job '\(id)': \(reason)"
        case let .invalidTransition(id, state, action): return "cannot \(action) job '\(id)' in state \(state.rawValue)"
        case let .notLeaseHolder(id, worker, attempt, holder, current):
            return "worker '\(worker)' does not hold attempt \(attempt) of job '\(id)' (attempt \(current) is held by \(holder ?? "nobody"))"
        case let .conflictingSubmission(id, reason): return "job '\(id)' was submitted differently: \(reason)"
        case let .invalidInput(field, reason): return "invalid \(field): \(reason)"
        case let .conflictRetriesExhausted(id, attempts): return "job '\(id)': gave up after \(attempts) conflicting attempts"
        case let .store(error): return error.description
        }
    }

    init(_ refusal: JobRefusal, jobID: String, actor: String, action: String, worker: String = "", attempt: Int = 0) {
        switch refusal {
        case .notFound: self = .notFound(jobID: jobID)
        case .forbidden(let reason): self = .forbidden(jobID: jobID, actor: actor, action: action, reason: reason)
        case .invalidTransition(let state): self = .invalidTransition(jobID: jobID, state: state, action: action)
        case let .notLeaseHolder(holder, current):
            self = .notLeaseHolder(jobID: jobID, worker: worker, attempt: attempt, holder: holder, currentAttempt: current)
        case .conflictingSubmission(let reason): self = .conflictingSubmission(jobID: jobID, reason: reason)
        }
    }
}
