import Foundation

/// An event to append: what happened, to be stored as given.
public struct EventData: Sendable, Hashable {
    /// Identity of the event. Appending an id that is already stored, to the
    /// same stream in the same order, is a no-op returning the original
    /// positions, which makes client retries safe.
    public var id: UUID
    /// The event type, such as `JobSubmitted`.
    public var type: String
    /// The payload bytes, conventionally JSON, stored exactly as given.
    public var payload: [UInt8]
    /// Who caused the event (a user, worker or system id); may be empty.
    public var actor: String
    /// Groups every event caused by one request.
    public var correlationID: UUID?
    /// The event or command that caused this one.
    public var causationID: UUID?
    /// When the event happened; `nil` stamps it with the append time. Imports
    /// pass the original time here.
    public var recordedAt: Date?

    /// Creates an event to append.
    public init(
        id: UUID = UUID(), type: String, payload: [UInt8] = [], actor: String = "",
        correlationID: UUID? = nil, causationID: UUID? = nil, recordedAt: Date? = nil
    ) {
        self.id = id
        self.type = type
        self.payload = payload
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.recordedAt = recordedAt
    }

    /// Creates an event whose payload is the UTF-8 bytes of `json`.
    public init(id: UUID = UUID(), type: String, json: String, actor: String = "") {
        self.init(id: id, type: type, payload: Array(json.utf8), actor: actor)
    }
}
