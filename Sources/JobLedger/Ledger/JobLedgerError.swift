import EventStore

/// Everything a job command can refuse or fail with.
///
/// A ``code`` says what kind of failure it is, and the typed optional
/// properties carry what the caller needs to act on it: each kind sets the
/// ones it names (see the factory functions, one per kind) and leaves the
/// others `nil`. New kinds and properties can be added without breaking a
/// caller, who branches on the code (`error.code == .notFound`) rather than
/// switching over every case. A failure of the event store is kept whole
/// in ``underlying``, its kind one step away in ``storeCode``.
public struct JobLedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public let code: Code
    /// The job concerned.
    public internal(set) var jobID: String?
    /// Who was refused (``Code/forbidden``).
    public internal(set) var actor: String?
    /// What was refused, as a verb (`cancel`, `complete`, ...).
    public internal(set) var action: String?
    /// The job's state that refused the command (``Code/invalidTransition``).
    public internal(set) var state: JobState?
    /// The worker that does not hold the lease (``Code/notLeaseHolder``).
    public internal(set) var worker: String?
    /// The attempt the worker named (``Code/notLeaseHolder``).
    public internal(set) var attempt: Int?
    /// The worker that holds the job's current attempt, `nil` for nobody
    /// (``Code/notLeaseHolder``).
    public internal(set) var leaseHolder: String?
    /// The job's current attempt (``Code/notLeaseHolder``).
    public internal(set) var currentAttempt: Int?
    /// The invalid field of the command (``Code/invalidInput``).
    public internal(set) var field: String?
    /// How many times the command was tried (``Code/conflictRetriesExhausted``).
    public internal(set) var attempts: Int?
    /// Why, in words.
    public internal(set) var reason: String?
    /// The store's error (``Code/store``).
    public internal(set) var underlying: EventStoreError?

    /// The kind of the store's error, when the store failed: one step from a
    /// ledger error to, say, ``EventStoreError/Code/readersFull``.
    public var storeCode: EventStoreError.Code? { underlying?.code }

    /// An error of kind `code` with no context yet; the factory functions
    /// fill it in.
    init(_ code: Code) { self.code = code }

    /// A sentence naming the job, the state and what went wrong.
    public var description: String {
        let id = jobID ?? "", reason = reason ?? "", action = action ?? ""
        switch code {
        case .notFound: return "job '\(id)' not found"
        case .forbidden where jobID == nil: return "\(actor ?? "") may not \(action): \(reason)"
        case .forbidden: return "\(actor ?? "") may not \(action) job '\(id)': \(reason)"
        case .invalidTransition: return "cannot \(action) job '\(id)' in state \(state?.rawValue ?? "")"
        case .notLeaseHolder:
            return "worker '\(worker ?? "")' does not hold attempt \(attempt ?? 0) of job '\(id)' "
                + "(attempt \(currentAttempt ?? 0) is held by \(leaseHolder ?? "nobody"))"
        case .conflictingSubmission: return "job '\(id)' was submitted differently: \(reason)"
        case .invalidInput: return "invalid \(field ?? ""): \(reason)"
        case .conflictRetriesExhausted: return "job '\(id)': gave up after \(attempts ?? 0) conflicting attempts"
        case .unreadableData: return "could not read \(jobID.map { "job '\($0)'" } ?? "the ledger's job data"): \(reason)"
        case .store: return underlying?.description ?? reason
        default: return reason.isEmpty ? code.name : "\(code.name): \(reason)"
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
