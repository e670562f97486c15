import EventStore
import Foundation

// Event payloads and audit entries, written through the one flat object
// writer, ``JSONObjectWriter``.

extension JobEvent {
    /// The JSON payload of the event, keys sorted.
    func encodedPayload() throws -> [UInt8] {
        var json = JSONObjectWriter()
        switch self {
        case .submitted(let data):
            json.string("batch", data.batch)
            json.string("id", data.id)
            json.int("maxAttempts", data.maxAttempts)
            json.string("organisation", data.organisation)
            json.string("owner", data.owner)
            json.string("payload", data.payload)
            json.int("priority", data.priority)
            json.string("type", data.type)
        case .claimed(let data), .leaseRenewed(let data):
            json.int("attempt", data.attempt)
            json.date("leaseUntil", data.leaseUntil)
            json.string("worker", data.worker)
        case .completed(let data):
            json.int("attempt", data.attempt)
            json.string("result", data.result)
            json.string("worker", data.worker)
        case .attemptFailed(let data):
            json.int("attempt", data.attempt)
            json.string("error", data.error)
            json.date("retryAt", data.retryAt)
            json.string("worker", data.worker)
        case .failed(let data):
            json.int("attempt", data.attempt)
            json.string("error", data.error)
            json.bool("retryable", data.retryable)
            json.string("worker", data.worker)
        case .cancelRequested(let data), .cancelled(let data), .killed(let data):
            json.string("actor", data.actor)
            json.string("reason", data.reason)
        case .leaseExpired(let data):
            json.int("attempt", data.attempt)
            json.string("nextState", data.nextState.rawValue)
            json.date("retryAt", data.retryAt)
            json.string("worker", data.worker)
        case .retried(let data):
            json.string("actor", data.actor)
        }
        return json.finish()
    }
}

extension AuditEntry {
    /// The JSON payload of the audit entry, keys sorted.
    func encodedPayload() -> [UInt8] {
        var json = JSONObjectWriter()
        json.string("action", action)
        json.string("actor", actor)
        json.string("detail", detail)
        json.string("jobID", jobID)
        json.string("organisation", organisation)
        json.string("outcome", outcome.rawValue)
        json.string("reason", reason)
        // Lower-case, as the event's correlation id is written everywhere.
        json.string("requestID", requestID.uuidString.lowercased())
        json.string("role", role.rawValue)
        return json.finish()
    }
}
