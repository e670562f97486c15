/// The ledger's one writer of JSON scalars: strings with their escapes and
/// whole numbers, appended as bytes to a buffer the caller reuses, without
/// going through `String` formatting or `JSONEncoder`.
///
/// Event payloads, audit entries and export lines are all written through
/// it, so the same text always gets the same bytes.
package enum JSONText {
    /// Appends `bytes`, which must be valid UTF-8, as a quoted JSON string.
    ///
    /// A quote, a backslash, a line feed, a carriage return and a tab get
    /// their short escapes (`\"`, `\\`, `\n`, `\r`, `\t`); every other
    /// control character is written `\u00XX` in lowercase hex (the form
    /// stored job events have always had); everything else, non-ASCII text
    /// and DEL included, is copied as it is.
    package static func appendString(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(0x22)
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C { continue }
            if runStart < index {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            }
            runStart = index + 1
            output.append(0x5C)
            switch byte {
            case 0x22: output.append(0x22)
            case 0x5C: output.append(0x5C)
            case 0x0A: output.append(0x6E)  // n
            case 0x0D: output.append(0x72)  // r
            case 0x09: output.append(0x74)  // t
            default:
                output.append(contentsOf: [0x75, 0x30, 0x30])  // u00
                HexDigits.append(byte, to: &output)
            }
        }
        if runStart < bytes.count {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(0x22)
    }

    /// Appends `text` as a quoted JSON string, escaped as the byte form above escapes it.
    package static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &output) }
    }

    /// Appends `value` in decimal.
    package static func appendDecimal(_ value: UInt64, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, room for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            while rest > 0 {
                count += 1
                scratch[24 - count] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
            }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    /// Appends `value` in decimal, with a minus sign when negative.
    package static func appendInteger(_ value: Int, to output: inout [UInt8]) {
        if value < 0 { output.append(0x2D) }
        appendDecimal(UInt64(value.magnitude), to: &output)
    }
}
