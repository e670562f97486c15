/// Format-blind mutations of a byte string: bit flips, byte changes,
/// inserts, deletes, copies, interesting integers, truncation and splices
/// with other corpus inputs.
package enum ByteMutator {
    /// Integers that sit on the edges where length and range checks go wrong.
    package static let interestingIntegers: [UInt64] = [
        0, 1, 2, 3, 4, 7, 8, 15, 16, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF, 0x1_0000,
        0x10_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    /// Bytes that matter to the formats being fuzzed.
    static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x7F, 0x80, 0xBF, 0xC0, 0xED, 0xF4, 0xF5, 0xFF, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C, 0x2D,
        0x2E, 0x30, 0x39, 0x3A, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0x75, 0x65, 0x5A, 0x54,
    ]

    /// Applies one random mutation to `bytes`; `others` are inputs to splice
    /// from. Inputs never grow past `maxLength`.
    package static func mutate(
        _ bytes: inout [UInt8], others: [[UInt8]], maxLength: Int, using random: inout FuzzRandom
    ) {
        switch random.below(12) {
        case 0 where !bytes.isEmpty:
            let index = random.below(bytes.count)
            bytes[index] ^= 1 << UInt8(random.below(8))
        case 1 where !bytes.isEmpty:
            bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
        case 2 where !bytes.isEmpty:
            bytes[random.below(bytes.count)] = random.pick(interestingBytes)
        case 3:
            let count = 1 + random.smallLength(32)
            let insert = (0..<count).map { _ in
                random.oneIn(2) ? random.pick(interestingBytes) : UInt8(truncatingIfNeeded: random.next())
            }
            bytes.insert(contentsOf: insert, at: random.below(bytes.count + 1))
        case 4 where !bytes.isEmpty:
            let start = random.below(bytes.count)
            let count = 1 + random.smallLength(bytes.count - start - 1)
            bytes.removeSubrange(start..<start + count)
        case 5 where !bytes.isEmpty:
            let start = random.below(bytes.count)
            let count = 1 + random.smallLength(bytes.count - start - 1)
            let chunk = Array(bytes[start..<start + count])
            bytes.insert(contentsOf: chunk, at: random.below(bytes.count + 1))
        case 6 where !bytes.isEmpty:
            putInteger(random.pick(interestingIntegers), in: &bytes, at: random.below(bytes.count), using: &random)
        case 7 where !bytes.isEmpty:
            let index = random.below(bytes.count)
            let delta = UInt8(1 + random.below(16))
            bytes[index] = random.oneIn(2) ? bytes[index] &+ delta : bytes[index] &- delta
        case 8 where !bytes.isEmpty:
            bytes.removeSubrange(random.below(bytes.count)...)
        case 9 where !others.isEmpty:
            let other = random.pick(others)
            let keep = random.below(bytes.count + 1)
            let from = random.below(other.count + 1)
            bytes = Array(bytes[..<keep]) + other[from...]
        case 10 where !others.isEmpty:
            let other = random.pick(others)
            guard !other.isEmpty else { return }
            let start = random.below(other.count)
            let count = 1 + random.smallLength(other.count - start - 1)
            bytes.insert(contentsOf: other[start..<start + count], at: random.below(bytes.count + 1))
        default:
            bytes.append(contentsOf: (0..<(1 + random.smallLength(8))).map { _ in random.pick(interestingBytes) })
        }
        if bytes.count > maxLength { bytes.removeSubrange(maxLength...) }
    }

    /// Writes `value` as a 1, 2, 4 or 8 byte integer, big- or little-endian,
    /// at `offset`, clipped to the end of `bytes`.
    package static func putInteger(_ value: UInt64, in bytes: inout [UInt8], at offset: Int, using random: inout FuzzRandom) {
        let width = random.pick([1, 2, 4, 8])
        putInteger(value, width: width, bigEndian: !random.oneIn(4), in: &bytes, at: offset)
    }

    /// Writes the low `width` bytes of `value` at `offset`, clipped to the
    /// end of `bytes`.
    package static func putInteger(_ value: UInt64, width: Int, bigEndian: Bool, in bytes: inout [UInt8], at offset: Int) {
        for byte in 0..<width where offset + byte < bytes.count {
            let shift = bigEndian ? 8 * (width - 1 - byte) : 8 * byte
            bytes[offset + byte] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
        }
    }
}
