import EventStore
import Foundation

extension JobEvent {
    /// Builds the event from a flat object (``FlatJSONObject``, the fast
    /// path of reading a stored event); `nil` when a field is missing or of
    /// another kind (the general decoder then decides).
    static func fromFlatFields(type: String, _ f: FlatJSONObject) -> JobEvent? {
        func text(_ key: StaticString) -> String? { if case .string(let value)? = f[key] { value } else { nil } }
        func optionalText(_ key: StaticString) -> String?? {
            switch f[key] {
            case nil, .null?: return .some(nil)
            case .string(let value)?: return .some(value)
            default: return nil
            }
        }
        func int(_ key: StaticString) -> Int? { if case .int(let value)? = f[key] { value } else { nil } }
        func bool(_ key: StaticString) -> Bool? { if case .bool(let value)? = f[key] { value } else { nil } }
        func date(_ key: StaticString) -> Date? { text(key).flatMap(LedgerInstant.date(from:)) }

        switch type {
        case "JobSubmitted":
            guard let id = text("id"), let jobType = text("type"), let owner = text("owner"),
                  let organisation = text("organisation"), let batch = optionalText("batch"),
                  let payload = text("payload"), let priority = int("priority"), let maxAttempts = int("maxAttempts")
            else { return nil }
            return .submitted(.init(
                id: id, type: jobType, owner: owner, organisation: organisation, batch: batch, payload: payload,
                priority: priority, maxAttempts: maxAttempts))
        case "JobClaimed", "LeaseRenewed":
            guard let worker = text("worker"), let attempt = int("attempt"), let lease = date("leaseUntil") else { return nil }
            let data = Claimed(worker: worker, attempt: attempt, leaseUntil: lease)
            return type == "JobClaimed" ? .claimed(data) : .leaseRenewed(data)
        case "JobCompleted":
            guard let worker = text("worker"), let attempt = int("attempt"), let result = optionalText("result") else { return nil }
            return .completed(.init(worker: worker, attempt: attempt, result: result))
        case "AttemptFailed":
            guard let worker = text("worker"), let attempt = int("attempt"), let error = text("error"),
                  let retryAt = date("retryAt") else { return nil }
            return .attemptFailed(.init(worker: worker, attempt: attempt, error: error, retryAt: retryAt))
        case "JobFailed":
            guard let worker = text("worker"), let attempt = int("attempt"), let error = text("error"),
                  let retryable = bool("retryable") else { return nil }
            return .failed(.init(worker: worker, attempt: attempt, error: error, retryable: retryable))
        case "CancelRequested", "JobCancelled", "JobKilled":
            guard let actor = text("actor"), let reason = text("reason") else { return nil }
            let data = Stop(actor: actor, reason: reason)
            return type == "CancelRequested" ? .cancelRequested(data) : type == "JobCancelled" ? .cancelled(data) : .killed(data)
        case "LeaseExpired":
            guard let worker = text("worker"), let attempt = int("attempt"),
                  let next = text("nextState").flatMap(JobState.init(rawValue:)) else { return nil }
            let retryAt: Date?
            switch f["retryAt"] {
            case nil, .null?: retryAt = nil
            default:
                guard let parsed = date("retryAt") else { return nil }
                retryAt = parsed
            }
            return .leaseExpired(.init(worker: worker, attempt: attempt, nextState: next, retryAt: retryAt))
        case "JobRetried":
            guard let actor = text("actor") else { return nil }
            return .retried(.init(actor: actor))
        default:
            return nil
        }
    }
}
