/// The values a ``JSONScanner`` decodes rather than skips: strings (as
/// UTF-8, escapes resolved, or as the range of a plain string's bytes) and
/// integers, refused rather than rounded when they do not fit.
extension JSONScanner {
    /// Reads a string and appends its decoded UTF-8 bytes to `output`.
    /// Escaped surrogates must come in pairs.
    package mutating func readString(into output: inout [UInt8]) throws(Failure) {
        let start = index
        try expect(0x22, "a string")
        while true {
            let runStart = index
            try skipPlainBytes()
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            guard let byte = current else { break }
            index += 1
            if byte == 0x22 { return }
            guard let escaped = current else { break }
            index += 1
            switch escaped {
            case 0x22, 0x5C, 0x2F: output.append(escaped)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x6E: output.append(0x0A)
            case 0x72: output.append(0x0D)
            case 0x74: output.append(0x09)
            case 0x75: try readUnicodeEscape(into: &output)
            default:
                throw failure("invalid escape '\\\(Character(Unicode.Scalar(escaped)))' in a string", at: index - 2)
            }
        }
        throw failure("unterminated string", at: start)
    }

    /// Decodes the `XXXX` of a `\uXXXX` escape (and a low surrogate escape
    /// after a high one) as UTF-8.
    private mutating func readUnicodeEscape(into output: inout [UInt8]) throws(Failure) {
        let start = index - 2
        let unit = try hex4()
        var scalarValue = UInt32(unit)
        if (0xD800...0xDBFF).contains(unit) {
            guard consume(0x5C), consume(0x75) else {
                throw failure("unpaired surrogate in a '\\u' escape", at: start)
            }
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw failure("unpaired surrogate in a '\\u' escape", at: start)
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw failure("unpaired surrogate in a '\\u' escape", at: start)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            throw failure("invalid '\\u' escape", at: start)
        }
        output.append(contentsOf: UTF8.encode(scalar)!)
    }

    /// Reads a non-negative integer without sign, fraction or exponent.
    package mutating func readUInt64() throws(Failure) -> UInt64 {
        let start = index
        guard let first = current, first >= 0x30 && first <= 0x39 else {
            throw failure("expected a whole number but found \(describeCurrent())")
        }
        var value: UInt64 = 0
        while let byte = current, byte >= 0x30 && byte <= 0x39 {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = scaled.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow && !overflow2 else { throw failure("number too large", at: start) }
            value = sum
            index += 1
        }
        if first == 0x30 && index - start > 1 { throw failure("leading zeros in a number", at: start) }
        if let byte = current, byte == 0x2E || byte == 0x65 || byte == 0x45 {
            throw failure("expected a whole number", at: start)
        }
        return value
    }

    /// Reads an integer that fits `Int`, with an optional minus sign and no
    /// fraction or exponent; a larger one is refused rather than rounded.
    package mutating func readInt() throws(Failure) -> Int {
        let start = index
        let negative = consume(0x2D)
        guard let first = current, first >= 0x30 && first <= 0x39 else {
            throw failure("expected a whole number but found \(describeCurrent())")
        }
        // Accumulated as a negative number, so that Int.min is read too.
        var value = 0
        while let byte = current, byte >= 0x30 && byte <= 0x39 {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = scaled.subtractingReportingOverflow(Int(byte &- 0x30))
            guard !overflow && !overflow2 else { throw failure("number too large", at: start) }
            value = next
            index += 1
        }
        let digits = index - start - (negative ? 1 : 0)
        if first == 0x30 && digits > 1 { throw failure("leading zeros in a number", at: start) }
        if let byte = current, byte == 0x2E || byte == 0x65 || byte == 0x45 {
            throw failure("expected a whole number", at: start)
        }
        if negative { return value }
        guard value != .min else { throw failure("number too large", at: start) }
        return -value
    }

    /// Reads a string that holds no escape and returns the range of its
    /// text, checked as UTF-8, without copying it; returns `nil` and
    /// leaves the index where it was when the string has an escape (then
    /// ``readString(into:)`` decodes it).
    package mutating func readPlainString() throws(Failure) -> Range<Int>? {
        let quote = index
        try expect(0x22, "a string")
        let start = index
        try skipPlainBytes()
        guard let byte = current else { throw failure("unterminated string", at: quote) }
        guard byte == 0x22 else {
            index = quote
            return nil
        }
        index += 1
        return start..<index - 1
    }
}
