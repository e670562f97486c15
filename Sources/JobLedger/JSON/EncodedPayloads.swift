import EventStore
import Foundation

// Event payloads and audit entries, written through the one flat object
// writer, ``JSONObjectWriter``.

extension JobEvent {
    /// The JSON payload of the event, keys sorted.
    func encodedPayload() throws -> [UInt8] {
        JobEventKind.of(self).payload(self)
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
