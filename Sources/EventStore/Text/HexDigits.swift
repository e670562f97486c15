/// Hexadecimal digits, written lowercase and read in either case: ids,
/// digests and `\u` escapes.
package enum HexDigits {
    /// The sixteen digits, lowercase, indexed by their value.
    package static let lowercase: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `byte` as two lowercase digits.
    @inline(__always)
    package static func append(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(lowercase[Int(byte >> 4)])
        output.append(lowercase[Int(byte & 0x0F)])
    }

    /// The value of one digit, or `nil` for any other byte.
    package static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
