/// The fields of an `application/x-www-form-urlencoded` body, as the
/// dashboard's forms send them.
struct FormFields: Sendable {
    private var values: [String: String] = [:]

    /// Parses `body`; a field whose percent-encoding is broken, or that
    /// appears twice, is bad input and nothing is taken from the body.
    init(_ body: [UInt8]) throws {
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0], what: "a field name")
            let value = try Self.decode(parts.count > 1 ? parts[1] : [], what: "the field '\(name)'")
            guard values[name] == nil else { throw Problem(.badInput, "the form sent the field '\(name)' twice") }
            values[name] = value
        }
    }

    /// The field's value, if sent.
    subscript(_ name: String) -> String? { values[name] }

    /// The values of the fields `name.0`, `name.1`, ... in that order, up
    /// to the first number not sent: a list in a form whose fields may
    /// each appear only once.
    func numbered(_ name: String) -> [String] {
        var result: [String] = []
        while let value = values["\(name).\(result.count)"] { result.append(value) }
        return result
    }

    /// The field's value with surrounding spaces removed, or an error naming
    /// the field when it is missing or blank.
    func required(_ name: String, label: String) throws -> String {
        guard let value = values[name]?.trimmingSpaces, !value.isEmpty else {
            throw Problem(.badInput, "\(label) is required")
        }
        return value
    }

    /// `+` as a space, `%XX` as a byte, the whole as UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>, what: String) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(0x20)
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                      let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2])
                else { throw Problem(.badInput, "\(what) has a broken percent-encoding") }
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw Problem(.badInput, "\(what) is not valid UTF-8")
        }
        return text
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmingSpaces: String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
