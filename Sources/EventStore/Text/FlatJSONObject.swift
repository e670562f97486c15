/// One flat JSON object (string, integer, boolean and null values) read by
/// ``JSONScanner`` into its list of fields, without the general decoder.
///
/// Job event payloads are flat objects and are read on every append (by the
/// projection) and on every replay; the general decoder cost a third of a
/// rebuild. Anything outside this shape (nesting, fractions, exponents, a
/// key with an escape, a repeated key) or anything that is not JSON makes
/// ``init(parsing:)`` return `nil`, and the caller falls back to the
/// general decoder, which also produces the precise error for bad input.
package struct FlatJSONObject {
    /// A field's value.
    package enum Value: Equatable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case null
    }

    /// The text, kept for the keys, which stay byte ranges of it.
    private let bytes: [UInt8]
    /// Looked up by a linear search: job events have at most eight fields,
    /// where hashing each key cost more.
    private var entries: [(key: Range<Int>, value: Value)] = []

    /// The fields of `bytes`, or `nil` when it is not a flat object.
    package init?(parsing bytes: [UInt8]) {
        self.bytes = bytes
        entries.reserveCapacity(8)
        let read: Bool = bytes.withUnsafeBytes { buffer in
            var scanner = JSONScanner(buffer)
            do {
                return try Self.readObject(&scanner, into: &entries)
            } catch {
                return false
            }
        }
        guard read else { return nil }
    }

    /// The value of `key`, or `nil` when the object has no such field.
    package subscript(key: StaticString) -> Value? {
        for entry in entries where Self.equal(bytes, entry.key, key) { return entry.value }
        return nil
    }

    private static func equal(_ bytes: [UInt8], _ range: Range<Int>, _ key: StaticString) -> Bool {
        guard range.count == key.utf8CodeUnitCount else { return false }
        return bytes.withUnsafeBytes { buffer in
            key.withUTF8Buffer { name in
                UnsafeRawBufferPointer(rebasing: buffer[range]).elementsEqual(UnsafeRawBufferPointer(name))
            }
        }
    }

    /// Reads the object; `false` when it has a shape the fast path leaves
    /// to the general decoder.
    private static func readObject(
        _ scanner: inout JSONScanner, into entries: inout [(key: Range<Int>, value: Value)]
    ) throws(JSONScanner.Failure) -> Bool {
        scanner.skipWhitespace()
        try scanner.expect(0x7B, "'{'")
        scanner.skipWhitespace()
        if !scanner.consume(0x7D) {
            repeat {
                scanner.skipWhitespace()
                // A key with an escape: rare enough to leave to the general decoder.
                guard let key = try scanner.readPlainString() else { return false }
                // A repeated key: the general decoder decides which value counts.
                let text = scanner.bytes
                let repeated = entries.contains { entry in
                    entry.key.count == key.count
                        && UnsafeRawBufferPointer(rebasing: text[entry.key]).elementsEqual(UnsafeRawBufferPointer(rebasing: text[key]))
                }
                guard !repeated else { return false }
                scanner.skipWhitespace()
                try scanner.expect(0x3A, "':'")
                scanner.skipWhitespace()
                guard let value = try readValue(&scanner) else { return false }
                entries.append((key, value))
                scanner.skipWhitespace()
            } while scanner.consume(0x2C)
            try scanner.expect(0x7D, "'}'")
        }
        scanner.skipWhitespace()
        return scanner.isAtEnd
    }

    /// A scalar value; `nil` for a container or a number that is not whole.
    private static func readValue(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> Value? {
        guard let first = scanner.current else { return nil }
        switch first {
        case 0x22:
            if let range = try scanner.readPlainString() {
                return .string(String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[range]), as: UTF8.self))
            }
            var decoded: [UInt8] = []
            try scanner.readString(into: &decoded)
            return .string(String(decoding: decoded, as: UTF8.self))
        case 0x74:
            try scanner.skipLiteral("true")
            return .bool(true)
        case 0x66:
            try scanner.skipLiteral("false")
            return .bool(false)
        case 0x6E:
            try scanner.skipLiteral("null")
            return .null
        case 0x2D, 0x30...0x39:
            return .int(try scanner.readInt())
        default:
            return nil
        }
    }
}
