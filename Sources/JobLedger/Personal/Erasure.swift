import EventStore
import Foundation

/// What came of erasing an owner's personal data.
public enum ErasureOutcome: String, Sendable, Hashable, Codable {
    /// The owner's key is destroyed now: its personal fields read as erased.
    case erased
    /// The key was destroyed by an earlier erasure; nothing changed.
    case alreadyErased = "already_erased"
    /// The owner never had personal data sealed; nothing changed.
    case noPersonalData = "no_personal_data"
}

/// The answer of ``JobLedger/erase(owner:organisation:by:reason:)``.
public struct ErasureResult: Sendable, Hashable {
    /// The owner whose data was erased, names in their stored form.
    public let owner: KeyOwner
    /// What came of it.
    public let outcome: ErasureOutcome
    /// The position of the `PersonalDataErased` event that records it.
    public let position: UInt64
}

/// The event recording an erasure request, in the `erasures` stream: who
/// asked (from credentials on the server), for which owner, why, and what
/// came of it; the event's time says when.
public struct ErasureRecord: Sendable, Hashable, Codable {
    /// The owner erased.
    public var owner: String
    /// The owner's organisation.
    public var organisation: String
    /// Who asked for the erasure.
    public var actor: String
    /// The actor's role.
    public var role: Actor.Role
    /// The actor's organisation.
    public var actorOrganisation: String
    /// The reason given, if any.
    public var reason: String?
    /// What came of it.
    public var outcome: ErasureOutcome
    /// The generation of the key destroyed (or found destroyed); absent
    /// when the owner had none.
    public var keyGeneration: UInt64?

    /// The stream of erasure records.
    public static let stream = "erasures"
    /// The stored event type.
    public static let eventType = "PersonalDataErased"
    /// The longest reason an erasure may give, in bytes of UTF-8.
    public static let maxReasonBytes = 4096
}
