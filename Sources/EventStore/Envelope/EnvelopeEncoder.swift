import Foundation

/// The stored form of an event: a versioned binary envelope.
///
/// Layout of format 1, all integers big-endian:
///
/// | bytes | field |
/// |---|---|
/// | 1 | format version (1) |
/// | 8 | global position |
/// | 8 | stream version |
/// | 8 | recorded-at, microseconds since 1970 (signed) |
/// | 16 | event id |
/// | 1 | flags: bit 0 correlation id present, bit 1 causation id present |
/// | 16, 16 | correlation id, causation id (when present) |
/// | 2 + n | stream id, UTF-8 |
/// | 2 + n | event type, UTF-8 |
/// | 2 + n | actor, UTF-8 |
/// | 4 + n | payload |
/// | 4 | CRC-32C of everything before it |
enum EnvelopeFormat {
    static let version: UInt8 = 1
}

/// Encodes envelopes into a buffer it reuses between events.
struct EnvelopeEncoder {
    private(set) var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(512) }

    /// Encodes `event` as stored at `position`; the result is in ``buffer``.
    mutating func encode(
        _ event: EventData, streamID: String, position: UInt64, streamVersion: UInt64, recordedAtMicros: Int64
    ) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(EnvelopeFormat.version)
        appendUInt64(position)
        appendUInt64(streamVersion)
        appendUInt64(UInt64(bitPattern: recordedAtMicros))
        appendUUID(event.id)
        let flags: UInt8 = (event.correlationID != nil ? 1 : 0) | (event.causationID != nil ? 2 : 0)
        buffer.append(flags)
        if let correlation = event.correlationID { appendUUID(correlation) }
        if let causation = event.causationID { appendUUID(causation) }
        appendShortText(streamID)
        appendShortText(event.type)
        appendShortText(event.actor)
        appendUInt32(UInt32(event.payload.count))
        buffer.append(contentsOf: event.payload)
        let checksum = buffer.withUnsafeBytes { CRC32C.checksum($0) }
        appendUInt32(checksum)
    }

    private mutating func appendUInt64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    private mutating func appendUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    private mutating func appendUUID(_ id: UUID) {
        withUnsafeBytes(of: id.uuid) { buffer.append(contentsOf: $0) }
    }

    /// Texts are validated to at most `UInt16.max` bytes before encoding.
    private mutating func appendShortText(_ text: String) {
        let utf8 = text.utf8
        withUnsafeBytes(of: UInt16(utf8.count).bigEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: utf8)
    }
}
