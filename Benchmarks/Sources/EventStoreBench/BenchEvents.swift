import EventStore

/// The events every append workload writes: one type, a small actor and a
/// fixed payload of the configured size.
struct BenchEvents: Sendable {
    /// The payload bytes, shared by every event (arrays are copy-on-write).
    let payload: [UInt8]

    /// Creates the factory for payloads of `payloadBytes` bytes.
    init(payloadBytes: Int) {
        payload = (0..<payloadBytes).map { UInt8(truncatingIfNeeded: 0x61 + $0 % 26) }
    }

    /// A new event with a fresh id.
    func make() -> EventData {
        EventData(type: "JobProgressed", payload: payload, actor: "bench")
    }

    /// Size of one stored envelope (format 1) of these events in a stream
    /// named `streamID`: 42 fixed bytes, the length-prefixed stream id, type,
    /// actor and payload, and a 4-byte checksum.
    func envelopeBytes(streamID: String) -> Int {
        let event = make()
        return 42 + (2 + streamID.utf8.count) + (2 + event.type.utf8.count) + (2 + event.actor.utf8.count)
            + (4 + payload.count) + 4
    }

    /// `count` new events.
    func make(count: Int) -> [EventData] {
        (0..<count).map { _ in make() }
    }
}
