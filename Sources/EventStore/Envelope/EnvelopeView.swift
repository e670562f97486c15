import Foundation

/// A parsed view of a stored envelope that points into its bytes.
///
/// Parsing checks every length against the buffer, so hostile or truncated
/// bytes give ``EnvelopeDecodingError`` instead of a crash. Nothing is copied
/// until a field is asked for.
struct EnvelopeView {
    let bytes: UnsafeRawBufferPointer
    let position: UInt64
    let streamVersion: UInt64
    let recordedAtMicros: Int64
    let idOffset: Int
    let hasCorrelation: Bool
    let hasCausation: Bool
    let correlationOffset: Int
    let causationOffset: Int
    let stream: UnsafeRawBufferPointer
    let type: UnsafeRawBufferPointer
    let actor: UnsafeRawBufferPointer
    let payload: UnsafeRawBufferPointer
    /// Offset of the trailing checksum.
    let checksumOffset: Int

    init(_ bytes: UnsafeRawBufferPointer) throws(EnvelopeDecodingError) {
        var reader = ByteReader(bytes)
        let format = try reader.uint8()
        guard format == EnvelopeFormat.version else {
            throw EnvelopeDecodingError("unknown envelope format \(format); this build reads format \(EnvelopeFormat.version)")
        }
        self.bytes = bytes
        position = try reader.uint64()
        streamVersion = try reader.uint64()
        recordedAtMicros = Int64(bitPattern: try reader.uint64())
        idOffset = try reader.skip(16)
        let flags = try reader.uint8()
        guard flags & ~0b11 == 0 else { throw EnvelopeDecodingError("unknown flag bits \(flags)") }
        hasCorrelation = flags & 1 != 0
        hasCausation = flags & 2 != 0
        correlationOffset = hasCorrelation ? try reader.skip(16) : 0
        causationOffset = hasCausation ? try reader.skip(16) : 0
        stream = try reader.slice(length: Int(try reader.uint16()))
        type = try reader.slice(length: Int(try reader.uint16()))
        actor = try reader.slice(length: Int(try reader.uint16()))
        payload = try reader.slice(length: Int(try reader.uint32()))
        checksumOffset = reader.offset
        _ = try reader.uint32()
        guard reader.offset == bytes.count else {
            throw EnvelopeDecodingError("\(bytes.count - reader.offset) unexpected bytes after the checksum")
        }
    }

    /// The CRC-32C written after the envelope's other bytes.
    var storedChecksum: UInt32 { bytes.loadBigEndianUInt32(at: checksumOffset) }

    /// The CRC-32C of the envelope's bytes as they are now.
    var computedChecksum: UInt32 { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<checksumOffset])) }

    /// Whether the stored checksum matches the envelope's bytes.
    var checksumMatches: Bool { computedChecksum == storedChecksum }

    var id: UUID { bytes.loadUUID(at: idOffset) }
    var correlationID: UUID? { hasCorrelation ? bytes.loadUUID(at: correlationOffset) : nil }
    var causationID: UUID? { hasCausation ? bytes.loadUUID(at: causationOffset) : nil }

    var streamID: String { String(decoding: stream, as: UTF8.self) }
    var typeName: String { String(decoding: type, as: UTF8.self) }

    var recordedEvent: RecordedEvent {
        RecordedEvent(
            position: position, streamID: streamID, streamVersion: streamVersion, id: id,
            type: typeName, recordedAt: Date(microsecondsSince1970: recordedAtMicros),
            actor: String(decoding: actor, as: UTF8.self), correlationID: correlationID,
            causationID: causationID, payload: Array(payload))
    }
}

/// Why stored bytes could not be read as an envelope.
struct EnvelopeDecodingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads big-endian fields from a buffer, checking every bound.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private mutating func take(_ count: Int) throws(EnvelopeDecodingError) -> Int {
        guard count >= 0, bytes.count - offset >= count else {
            throw EnvelopeDecodingError("truncated: needed \(count) bytes at offset \(offset) of \(bytes.count)")
        }
        defer { offset += count }
        return offset
    }

    mutating func uint8() throws(EnvelopeDecodingError) -> UInt8 { bytes[try take(1)] }
    mutating func uint16() throws(EnvelopeDecodingError) -> UInt16 {
        UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: try take(2), as: UInt16.self))
    }
    mutating func uint32() throws(EnvelopeDecodingError) -> UInt32 {
        bytes.loadBigEndianUInt32(at: try take(4))
    }
    mutating func uint64() throws(EnvelopeDecodingError) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self))
    }
    mutating func skip(_ count: Int) throws(EnvelopeDecodingError) -> Int { try take(count) }
    mutating func slice(length: Int) throws(EnvelopeDecodingError) -> UnsafeRawBufferPointer {
        let start = try take(length)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
    }
}

extension UnsafeRawBufferPointer {
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func loadUUID(at offset: Int) -> UUID {
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: self[offset..<offset + 16]))
        }
        return UUID(uuid: uuid)
    }
}

extension Date {
    /// The date `micros` microseconds after 1970-01-01T00:00:00Z.
    package init(microsecondsSince1970 micros: Int64) {
        self.init(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    /// Microseconds since 1970-01-01T00:00:00Z, rounded to the nearest;
    /// `nil` beyond what 64 bits of microseconds hold (about 292,000 years
    /// either side of 1970).
    package var exactMicrosecondsSince1970: Int64? {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        guard micros >= -9_223_372_036_854_775_808.0, micros < 9_223_372_036_854_775_808.0 else { return nil }
        return Int64(micros)
    }

    /// Microseconds since 1970-01-01T00:00:00Z, rounded to the nearest and
    /// held at the ends of the 64-bit range for dates beyond it.
    package var microsecondsSince1970: Int64 {
        exactMicrosecondsSince1970 ?? (timeIntervalSince1970 < 0 ? .min : .max)
    }
}
