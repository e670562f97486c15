/// Unguessable identifiers for sessions and form tokens.
enum RandomText {
    /// 32 bytes from the system's generator, as 43 base64url characters.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var bytes: [UInt8] = []
        var bits: UInt64 = 0
        var count = 0
        for _ in 0..<32 {
            bits = bits << 8 | UInt64(UInt8.random(in: 0...255, using: &generator))
            count += 8
            while count >= 6 {
                count -= 6
                bytes.append(alphabet[Int((bits >> UInt64(count)) & 0x3F)])
            }
        }
        if count > 0 { bytes.append(alphabet[Int((bits << UInt64(6 - count)) & 0x3F)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Compares two secrets in time that depends on their lengths only.
    static func same(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
