import EventStore

/// Mutations that know the envelope's layout (format 1): interesting
/// integers in the length, position, version and time fields, flags that
/// disagree with the ids present, text fields that are not UTF-8, payloads
/// of every shape the export tells apart, and a recomputed checksum so the
/// damage is not only ever caught by the CRC.
package enum EnvelopeMutator {
    /// Where the fields of an envelope sit, found by following its lengths.
    struct Layout {
        /// Offsets of the stream, type, actor (2-byte) and payload (4-byte)
        /// length fields, with each one's text range.
        var lengthFields: [(offset: Int, width: Int, content: Range<Int>)] = []
        var flagsOffset = 41
    }

    /// The layout of `bytes`, or `nil` when its lengths no longer fit.
    static func layout(of bytes: [UInt8]) -> Layout? {
        guard bytes.count > 41 else { return nil }
        var layout = Layout()
        var offset = 42 + (bytes[41] & 1 != 0 ? 16 : 0) + (bytes[41] & 2 != 0 ? 16 : 0)
        for width in [2, 2, 2, 4] {
            guard offset + width <= bytes.count else { return nil }
            var length = 0
            for byte in bytes[offset..<offset + width] { length = length << 8 | Int(byte) }
            let content = offset + width..<offset + width + length
            guard content.upperBound <= bytes.count else { return nil }
            layout.lengthFields.append((offset, width, content))
            offset = content.upperBound
        }
        return layout
    }

    private static let texts: [[UInt8]] = [
        [], Array("job-1".utf8), Array("JobSubmitted".utf8), [0xFF, 0xFE], [0xC3], Array("a\u{0}b".utf8),
        Array("tab\there".utf8), Array("line\nbreak\r".utf8), Array("quote\"and\\".utf8), Array("Zoë ☃ 𝄞".utf8),
        [0xED, 0xA0, 0x80], Array(repeating: 0x61, count: 201), Array("\u{FEFF}bom".utf8),
    ]

    private static let payloads: [[UInt8]] = JSONMutator.edgeValues.map { Array($0.utf8) } + [
        [], [0xFF, 0x00, 0xC3, 0x28, 0x0A], Array("{\n  \"pretty\": true\n}".utf8), Array(" {\"padded\":1}".utf8),
        Array(#"{"$base64":"not really"}"#.utf8), Array("plain text, \"quoted\"".utf8), [0x0D], [0x7B],
        Array(#"{"a":1}x"#.utf8), Array("[1,2]\r".utf8),
    ]

    /// Applies one mutation to `bytes`, structured when its layout can
    /// still be followed and format-blind otherwise.
    package static func mutate(
        _ bytes: inout [UInt8], others: [[UInt8]], maxLength: Int, using random: inout FuzzRandom
    ) {
        if let layout = layout(of: bytes), !random.oneIn(3) {
            mutateField(&bytes, layout: layout, using: &random)
        } else {
            ByteMutator.mutate(&bytes, others: others, maxLength: maxLength, using: &random)
        }
        if bytes.count > maxLength { bytes.removeSubrange(maxLength...) }
        if bytes.count >= 4 && random.oneIn(2) { sealChecksum(&bytes) }
    }

    /// Rewrites the last four bytes as the CRC-32C of the rest.
    package static func sealChecksum(_ bytes: inout [UInt8]) {
        let crc = bytes.withUnsafeBytes { EnvelopeCodec.checksum(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 4)])) }
        ByteMutator.putInteger(UInt64(crc), width: 4, bigEndian: true, in: &bytes, at: bytes.count - 4)
    }

    private static func mutateField(_ bytes: inout [UInt8], layout: Layout, using random: inout FuzzRandom) {
        switch random.below(8) {
        case 0:
            // A length that lies: an edge value, or off by a little.
            let field = random.pick(layout.lengthFields)
            let value: UInt64 = random.oneIn(2)
                ? random.pick(ByteMutator.interestingIntegers)
                : UInt64(max(0, field.content.count + random.below(9) - 4))
            ByteMutator.putInteger(value, width: field.width, bigEndian: true, in: &bytes, at: field.offset)
        case 1:
            // Position, stream version or time at an edge.
            let offset = random.pick([1, 9, 17])
            ByteMutator.putInteger(random.pick(ByteMutator.interestingIntegers) &+ UInt64(random.below(3)) &- 1,
                                   width: 8, bigEndian: true, in: &bytes, at: offset)
        case 2:
            // Flags that disagree with the ids present.
            bytes[layout.flagsOffset] = random.oneIn(2) ? bytes[layout.flagsOffset] ^ UInt8(1 << random.below(8)) : UInt8(random.below(4))
        case 3:
            // Add or drop an id together with its flag: still well formed.
            let bit = UInt8(1 << random.below(2))
            let hasCorrelation = bytes[41] & 1 != 0
            let at = 42 + (bit == 2 && hasCorrelation ? 16 : 0)
            if bytes[41] & bit != 0 {
                bytes.removeSubrange(at..<at + 16)
            } else {
                bytes.insert(contentsOf: (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            }
            bytes[41] ^= bit
        case 4, 5:
            // New stream, type or actor text, or a new payload, with the
            // length to match.
            let index = random.below(4)
            let field = layout.lengthFields[index]
            let content = index == 3 ? random.pick(payloads) : random.pick(texts)
            bytes.replaceSubrange(field.content, with: content)
            ByteMutator.putInteger(UInt64(content.count), width: field.width, bigEndian: true, in: &bytes, at: field.offset)
        case 6:
            bytes[0] = random.pick([0, 1, 2, 0xFF])
        default:
            // Trailing garbage or a cut inside the checksum.
            if random.oneIn(2) {
                bytes.append(contentsOf: (0..<(1 + random.below(4))).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            } else {
                bytes.removeLast(1 + random.below(min(4, bytes.count)))
            }
        }
    }
}
