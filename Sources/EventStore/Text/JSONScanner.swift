/// The ledger's one reader of JSON text (RFC 8259), byte by byte, one
/// token at a time.
///
/// The export asks it whether a payload can be embedded as JSON, the import
/// reads exported lines with it, and job event payloads are read through
/// ``FlatJSONObject``, which is built on it. It never builds a tree: values
/// are either skipped (checking the grammar, so their bytes can be copied
/// as they are) or decoded when they are strings, integers or literals.
/// Strings must be well-formed UTF-8 and escaped surrogates must pair.
package struct JSONScanner {
    /// The text being read.
    package let bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    package internal(set) var index: Int

    /// Where and why the text is not the JSON expected.
    package struct Failure: Error {
        /// Byte offset of the problem.
        package let offset: Int
        /// What was wrong there, as a phrase for an error message.
        package let message: String
    }

    /// A scanner over `bytes`, starting at `index`.
    package init(_ bytes: UnsafeRawBufferPointer, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Whether every byte has been read.
    package var isAtEnd: Bool { index >= bytes.count }

    /// The byte at the current index, or `nil` at the end.
    package var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// A failure at `offset`, or at the current index.
    package func failure(_ message: String, at offset: Int? = nil) -> Failure {
        Failure(offset: offset ?? index, message: message)
    }

    func describeCurrent() -> String {
        guard let byte = current else { return "the end of the line" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    /// Moves past spaces, tabs and line breaks.
    package mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte`, or fails naming what was expected.
    package mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        guard current == byte else { throw failure("expected \(what) but found \(describeCurrent())") }
        index += 1
    }

    /// Consumes `byte` when it is next.
    package mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// Moves past `count` bytes the caller has already looked at.
    package mutating func advance(by count: Int) {
        index = min(index + count, bytes.count)
    }

    /// Whether the bytes from the current index start with `prefix`.
    package func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard bytes.count - index >= prefix.count else { return false }
        for (offset, byte) in prefix.enumerated() where bytes[index + offset] != byte { return false }
        return true
    }

    // MARK: Skipping values

    /// Skips one complete value, checking its grammar. Nesting is tracked
    /// on a heap stack, so deep input cannot overflow the call stack.
    package mutating func skipValue() throws(Failure) {
        var open: [UInt8] = []  // the closing byte of each enclosing container
        while true {
            // Here a value is expected.
            skipWhitespace()
            var finished = true
            guard let byte = current else { throw failure("expected a JSON value but found the end of the line") }
            switch byte {
            case 0x7B:  // {
                index += 1
                skipWhitespace()
                if !consume(0x7D) {
                    open.append(0x7D)
                    try skipMemberName()
                    finished = false
                }
            case 0x5B:  // [
                index += 1
                skipWhitespace()
                if !consume(0x5D) {
                    open.append(0x5D)
                    finished = false
                }
            case 0x22: try skipString()
            case 0x74: try skipLiteral("true")
            case 0x66: try skipLiteral("false")
            case 0x6E: try skipLiteral("null")
            case 0x2D, 0x30...0x39: try skipNumber()
            default: throw failure("expected a JSON value but found \(describeCurrent())")
            }
            guard finished else { continue }
            // A value ended: close containers or move to the next element.
            while let closing = open.last {
                skipWhitespace()
                if consume(0x2C) {
                    if closing == 0x7D {
                        skipWhitespace()
                        try skipMemberName()
                    }
                    break
                }
                guard consume(closing) else {
                    throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))' but found \(describeCurrent())")
                }
                open.removeLast()
            }
            if open.isEmpty { return }
        }
    }

    /// Skips `"name"` and the colon after it.
    private mutating func skipMemberName() throws(Failure) {
        guard current == 0x22 else { throw failure("expected a quoted field name but found \(describeCurrent())") }
        try skipString()
        skipWhitespace()
        try expect(0x3A, "':' after a field name")
    }

    /// Consumes `word` (`true`, `false` or `null`), or fails.
    package mutating func skipLiteral(_ word: StaticString) throws(Failure) {
        let start = index
        let matches = word.withUTF8Buffer { literal in
            guard bytes.count - index >= literal.count else { return false }
            for (offset, byte) in literal.enumerated() where bytes[index + offset] != byte { return false }
            return true
        }
        guard matches else { throw failure("invalid literal; expected '\(word)'", at: start) }
        index += word.utf8CodeUnitCount
    }

    /// Skips a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    package mutating func skipNumber() throws(Failure) {
        let start = index
        _ = consume(0x2D)
        guard let first = current, first >= 0x30 && first <= 0x39 else {
            throw failure("invalid number", at: start)
        }
        index += 1
        if first != 0x30 { skipDigits() }
        if consume(0x2E) {
            guard skipDigits() > 0 else { throw failure("invalid number: no digits after '.'", at: start) }
        }
        if consume(0x65) || consume(0x45) {
            if !consume(0x2B) { _ = consume(0x2D) }
            guard skipDigits() > 0 else { throw failure("invalid number: no digits in the exponent", at: start) }
        }
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, byte >= 0x30 && byte <= 0x39 { index += 1 }
        return index - start
    }

    /// Moves over the bytes of a string up to its next quote, backslash or
    /// the end of the text, checking that they are UTF-8 and not control
    /// characters: the loop that every string reading shares.
    @inline(__always)
    mutating func skipPlainBytes() throws(Failure) {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x5C { return }
            if byte < 0x20 {
                throw failure("unescaped control character in a string")
            } else if byte < 0x80 {
                index += 1
            } else {
                guard let length = UTF8Check.sequenceLength(bytes, at: index) else {
                    throw failure("invalid UTF-8 in a string")
                }
                index += length
            }
        }
    }

    /// Skips a string, checking its escapes and that its text is UTF-8.
    ///
    /// A `\u` escape is checked for its four hex digits only: a lone
    /// surrogate passes here (the export embeds such a payload as it is and
    /// the import copies it back) while ``readString(into:)`` refuses it.
    package mutating func skipString() throws(Failure) {
        let start = index
        try expect(0x22, "'\"'")
        while true {
            try skipPlainBytes()
            guard let byte = current else { break }
            index += 1
            if byte == 0x22 { return }
            guard let escaped = current else { break }
            switch escaped {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                index += 1
            case 0x75:
                index += 1
                _ = try hex4()
            default:
                throw failure("invalid escape '\\\(Character(Unicode.Scalar(escaped)))' in a string")
            }
        }
        throw failure("unterminated string", at: start)
    }

    mutating func hex4() throws(Failure) -> UInt16 {
        guard bytes.count - index >= 4 else { throw failure("truncated '\\u' escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = HexDigits.value(of: bytes[index]) else { throw failure("invalid '\\u' escape") }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
