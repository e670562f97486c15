import Foundation

/// Who asked for what, why, and what came of it: stored as an
/// `AuditRecorded` event in the job's audit stream, in the same atomic
/// append as the job events the command caused.
public struct AuditEntry: Sendable, Hashable, Codable {
    /// The job the command was about.
    public var jobID: String
    /// Who issued the command.
    public var actor: String
    /// The actor's role.
    public var role: Actor.Role
    /// The actor's organisation.
    public var organisation: String
    /// The command, e.g. `cancel`.
    public var action: String
    /// The reason the actor gave, if any.
    public var reason: String?
    /// What came of it, e.g. `cancelled`, `already_completed` or `forbidden`.
    public var outcome: JobOutcome
    /// The request that carried the command.
    public var requestID: UUID
    /// Why a command was refused, as a stable sentence (``JobRefusal/detail``);
    /// `nil` for accepted commands.
    public var detail: String?

    /// The stored event type of audit entries.
    public static let eventType = "AuditRecorded"

    /// Encodes the entry with the request id in lower case, the one form in
    /// which the ledger writes ids (the stored entry and the event's
    /// correlation id alike).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(actor, forKey: .actor)
        try container.encode(role, forKey: .role)
        try container.encode(organisation, forKey: .organisation)
        try container.encode(action, forKey: .action)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(requestID.uuidString.lowercased(), forKey: .requestID)
        try container.encodeIfPresent(detail, forKey: .detail)
    }
}
