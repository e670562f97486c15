import EventStore
import Foundation

/// Refused changes of settings, audited as refused job commands are: an
/// `AuditRecorded` entry (``AuditEntry``) with the actor, its role and
/// organisation, the action, the reason given, the outcome `forbidden` and
/// the refusal's sentence as `detail`, in the stream `settings-audit`.
///
/// The entry's ``AuditEntry/jobID`` names what the change was about: the
/// type's queue stream (`queue-<type>`) for a limit, rate, pause or resume,
/// the `schedules` stream for a recurring schedule. Settings streams carry
/// only what is in force (a claim reads the last event of a queue stream),
/// so refusals are kept apart from them, in one stream of their own.
public enum SettingsAudit {
    /// The stream of refused settings changes.
    public static let stream = "settings-audit"
}

extension JobLedger {
    /// The append that audits a refused change of settings about `subject`.
    func settingsRefusalAppend(
        subject: String, actor: Actor, action: String, reason: String?, detail: String, requestID: UUID
    ) -> StreamAppend {
        let entry = AuditEntry(
            jobID: subject, actor: actor.id, role: actor.role, organisation: actor.organisation, action: action,
            reason: reason, outcome: .forbidden, requestID: requestID, detail: detail)
        return StreamAppend(
            streamID: SettingsAudit.stream, expectedVersion: .any,
            events: [EventData(
                type: AuditEntry.eventType, payload: entry.encodedPayload(), actor: actor.id, correlationID: requestID,
                recordedAt: JSONCoding.truncated(options.clock()))])
    }

    /// A command that records the refusal of a settings change and then
    /// throws `error` to its caller: the refusal is stored before the caller
    /// hears of it, through the same drivers as every command.
    func refusedSettingsChange<Answer>(
        _ error: JobLedgerError, subject: String, actor: Actor, action: String, reason: String?
    ) -> DecidedCommand<Answer> {
        let requestID = UUID()
        return DecidedCommand(subject: subject) { () throws(JobLedgerError) in
            let append = self.settingsRefusalAppend(
                subject: subject, actor: actor, action: action, reason: reason, detail: error.reason ?? error.description,
                requestID: requestID)
            return Decision(append: [append]) { (_) throws(JobLedgerError) -> Answer in throw error }
        }
    }

    /// `nil` when `actor` (in stored form) is an admin or the system, who
    /// may change settings; otherwise the command that records the refusal
    /// of `action` about `subject` and then throws
    /// ``JobLedgerError/forbidden(jobID:actor:action:reason:)`` saying `why`.
    func settingsRefusal<Answer>(
        by actor: Actor, subject: String, action: String, reason: String?, why: String
    ) -> DecidedCommand<Answer>? {
        guard actor.role != .admin && actor.role != .system else { return nil }
        return refusedSettingsChange(
            .forbidden(jobID: subject, actor: actor.id, action: action, reason: why),
            subject: subject, actor: actor, action: action, reason: reason)
    }

    /// Records a refused change of settings about `subject` (for example
    /// `schedules`), for commands that refuse outside the ledger's own
    /// settings commands. Nothing else is written.
    public func auditRefusedSettingsChange(
        subject: String, actor: Actor, action: String, reason: String?, detail: String, requestID: UUID = UUID()
    ) throws(JobLedgerError) {
        do {
            _ = try store.append([settingsRefusalAppend(
                subject: subject, actor: actor, action: action, reason: reason, detail: detail, requestID: requestID)])
        } catch {
            throw .store(error)
        }
    }

    /// The refused settings changes, oldest first, at most `limit`.
    public func settingsRefusals(limit: Int = 1000) throws(JobLedgerError) -> [AuditEntry] {
        do {
            return try store.readStream(SettingsAudit.stream, from: 1, limit: limit).map { event in
                try JSONCoding.decoder.decode(AuditEntry.self, from: Data(event.payload))
            }
        } catch {
            throw Self.wrap(error)
        }
    }
}
