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
    /// The payload already decoded, when the appender has it: it must be
    /// what the payload decodes to. Never stored; handed to the projections
    /// inside the append (``RecordedEvent/decoded``) so they need not decode
    /// the bytes again. Not part of equality or hashing.
    public var decoded: (any Sendable)?

    /// Creates an event to append.
    public init(
        id: UUID = .timeOrdered(), type: String, payload: [UInt8] = [], actor: String = "",
        correlationID: UUID? = nil, causationID: UUID? = nil, recordedAt: Date? = nil, decoded: (any Sendable)? = nil
    ) {
        self.id = id
        self.type = type
        self.payload = payload
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.recordedAt = recordedAt
        self.decoded = decoded
    }

    /// Creates an event whose payload is the UTF-8 bytes of `json`.
    public init(id: UUID = .timeOrdered(), type: String, json: String, actor: String = "") {
        self.init(id: id, type: type, payload: Array(json.utf8), actor: actor)
    }
}

extension EventData {
    /// Equal when everything that is stored is equal; ``decoded`` does not count.
    public static func == (lhs: EventData, rhs: EventData) -> Bool {
        lhs.id == rhs.id && lhs.type == rhs.type && lhs.payload == rhs.payload && lhs.actor == rhs.actor
            && lhs.correlationID == rhs.correlationID && lhs.causationID == rhs.causationID
            && lhs.recordedAt == rhs.recordedAt
    }

    /// Hashes what is stored; ``decoded`` does not count.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(type)
        hasher.combine(payload)
        hasher.combine(actor)
        hasher.combine(correlationID)
        hasher.combine(causationID)
        hasher.combine(recordedAt)
    }
}

extension UUID {
    /// A version 7 UUID: 48 bits of Unix milliseconds, then random bits.
    ///
    /// Ids made close in time sort close together, so the event-id index
    /// takes new keys near its end instead of dirtying a random page for
    /// every event; they stay unique and unguessable like random UUIDs.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var random = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(index))) }
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(index))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(index - 8))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
