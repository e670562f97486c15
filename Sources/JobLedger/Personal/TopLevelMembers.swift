import EventStore

/// The members of a JSON object, with where each value's text lies: the
/// one reading personal fields need, so that sealing and revealing replace
/// a member's value and leave every other byte of the payload as it was.
struct TopLevelMember {
    /// The member's name, escapes resolved.
    let name: String
    /// The bytes of the member's value in the object's text.
    let value: Range<Int>
}

extension TopLevelMember {
    /// The members of the object `bytes`, in order; `nil` when the text is
    /// not one JSON object.
    static func members(of bytes: [UInt8]) -> [TopLevelMember]? {
        bytes.withUnsafeBytes { raw -> [TopLevelMember]? in
            var scanner = JSONScanner(raw)
            do throws(JSONScanner.Failure) {
                var members: [TopLevelMember] = []
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: "{"), "an object")
                scanner.skipWhitespace()
                if !scanner.consume(UInt8(ascii: "}")) {
                    repeat {
                        scanner.skipWhitespace()
                        var name: [UInt8] = []
                        try scanner.readString(into: &name)
                        scanner.skipWhitespace()
                        try scanner.expect(UInt8(ascii: ":"), "':'")
                        scanner.skipWhitespace()
                        let start = scanner.index
                        try scanner.skipValue()
                        members.append(TopLevelMember(name: String(decoding: name, as: UTF8.self), value: start..<scanner.index))
                        scanner.skipWhitespace()
                    } while scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "}"), "'}' or ','")
                }
                scanner.skipWhitespace()
                return scanner.isAtEnd ? members : nil
            } catch {
                return nil
            }
        }
    }

    /// `bytes` with the value of each member in `replacements` (by its
    /// index among the members) replaced.
    static func replacing(_ replacements: [(range: Range<Int>, with: [UInt8])], in bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + replacements.count * 64)
        var next = 0
        for replacement in replacements.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            output.append(contentsOf: bytes[next..<replacement.range.lowerBound])
            output.append(contentsOf: replacement.with)
            next = replacement.range.upperBound
        }
        output.append(contentsOf: bytes[next...])
        return output
    }
}
