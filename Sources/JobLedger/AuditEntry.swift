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
    /// Extra detail for refusals.
    public var detail: String?

    /// The stored event type of audit entries.
    public static let eventType = "AuditRecorded"
}
