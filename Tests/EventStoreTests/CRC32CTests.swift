import EventStore
import Testing

/// The word-at-a-time CRC-32C gives the same checksums as the definition,
/// a byte at a time, at every length and alignment.
@Suite struct CRC32CTests {
    /// CRC-32C straight from its definition, one bit at a time.
    static func reference(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    @Test func theStandardCheckValueOf123456789IsE3069283() {
        let value = Array("123456789".utf8).withUnsafeBytes { EnvelopeCodec.checksum($0) }
        #expect(value == 0xE306_9283)
        #expect(Self.reference(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func everyLengthAndAlignmentAgreesWithTheDefinition() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes: [UInt8] = (0..<300).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                for end in stride(from: start, through: raw.count, by: 7) {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                    #expect(EnvelopeCodec.checksum(slice) == Self.reference(bytes[start..<end]), "bytes \(start)..<\(end)")
                }
            }
        }
    }
}
