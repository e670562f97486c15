import Foundation

/// Ids as text: the canonical lowercase 8-4-4-4-12 form, written from the
/// 16 stored bytes and read back in either case.
package enum UUIDText {
    /// Appends the 16 id bytes at `offset` in the canonical lowercase
    /// 8-4-4-4-12 form, without quotes.
    package static func append(_ bytes: UnsafeRawBufferPointer, at offset: Int, to output: inout [UInt8]) {
        for index in 0..<16 {
            if index == 4 || index == 6 || index == 8 || index == 10 { output.append(0x2D) }
            HexDigits.append(bytes[offset + index], to: &output)
        }
    }

    /// Reads an id in the 8-4-4-4-12 form, in either case.
    package static func parse(_ bytes: UnsafeRawBufferPointer) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &uuid) { target -> Bool in
            var index = 0
            for byteIndex in 0..<16 {
                if byteIndex == 4 || byteIndex == 6 || byteIndex == 8 || byteIndex == 10 {
                    guard bytes[index] == 0x2D else { return false }
                    index += 1
                }
                guard let high = HexDigits.value(of: bytes[index]), let low = HexDigits.value(of: bytes[index + 1])
                else { return false }
                target[byteIndex] = high << 4 | low
                index += 2
            }
            return true
        }
        return valid ? UUID(uuid: uuid) : nil
    }
}
