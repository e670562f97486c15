import Foundation

/// An event as stored in the log, with its place in the ledger.
public struct RecordedEvent: Sendable, Hashable {
    /// Position in the whole log: dense, strictly increasing, starting at 1.
    public let position: UInt64
    /// The stream the event belongs to.
    public let streamID: String
    /// Version of the stream after this event: dense, starting at 1.
    public let streamVersion: UInt64
    /// The event's id.
    public let id: UUID
    /// The event's type.
    public let type: String
    /// When the event was recorded, to the microsecond.
    public let recordedAt: Date
    /// Who caused the event.
    public let actor: String
    /// Groups every event caused by one request.
    public let correlationID: UUID?
    /// The event or command that caused this one.
    public let causationID: UUID?
    /// The payload bytes as appended.
    public let payload: [UInt8]
    /// The appender's decoded payload (``EventData/decoded``), given to the
    /// projections inside the append that stores the event; `nil` on every
    /// read, rebuild and replay, which decode the bytes. Not part of
    /// equality or hashing.
    public let decoded: (any Sendable)?

    /// Creates a recorded event; the store does this when reading.
    public init(
        position: UInt64, streamID: String, streamVersion: UInt64, id: UUID, type: String,
        recordedAt: Date, actor: String, correlationID: UUID?, causationID: UUID?, payload: [UInt8],
        decoded: (any Sendable)? = nil
    ) {
        self.position = position
        self.streamID = streamID
        self.streamVersion = streamVersion
        self.id = id
        self.type = type
        self.recordedAt = recordedAt
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.payload = payload
        self.decoded = decoded
    }

    /// The payload decoded as UTF-8 text.
    public var payloadString: String { String(decoding: payload, as: UTF8.self) }

    /// Equal when everything that is stored is equal; ``decoded`` does not count.
    public static func == (lhs: RecordedEvent, rhs: RecordedEvent) -> Bool {
        lhs.position == rhs.position && lhs.streamID == rhs.streamID && lhs.streamVersion == rhs.streamVersion
            && lhs.id == rhs.id && lhs.type == rhs.type && lhs.recordedAt == rhs.recordedAt
            && lhs.actor == rhs.actor && lhs.correlationID == rhs.correlationID
            && lhs.causationID == rhs.causationID && lhs.payload == rhs.payload
    }

    /// Hashes what is stored; ``decoded`` does not count.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(position)
        hasher.combine(streamID)
        hasher.combine(streamVersion)
        hasher.combine(id)
        hasher.combine(type)
        hasher.combine(recordedAt)
        hasher.combine(actor)
        hasher.combine(correlationID)
        hasher.combine(causationID)
        hasher.combine(payload)
    }
}
