import EventStore
import Foundation
import Testing

/// The one JSON string writer: its escapes, and that what it writes reads
/// back through the scanner to the same bytes.
@Suite struct JSONTextTests {
    static func written(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        bytes.withUnsafeBytes { JSONText.appendString($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    @Test func shortEscapesForQuoteBackslashAndLineBreaksAndHexForOtherControls() {
        #expect(Self.written(Array("\"\\\n\r\t".utf8)) == #""\"\\\n\r\t""#)
        // Backspace and form feed take the hex form, as stored job events always had.
        #expect(Self.written([0x08, 0x0C, 0x00, 0x1F]) == #""\u0008\u000c\u0000\u001f""#)
        // Slash, DEL and non-ASCII text are copied as they are.
        #expect(Self.written(Array("/\u{7F}é😀".utf8)) == "\"/\u{7F}é😀\"")
    }

    @Test func everyByteOfEveryControlAndAsciiCharacterRoundTripsThroughTheScanner() throws {
        let text: [UInt8] = Array(0..<0x80) + Array("é\u{2028}😀".utf8)
        var output: [UInt8] = []
        text.withUnsafeBytes { JSONText.appendString($0, to: &output) }
        var decoded: [UInt8] = []
        try output.withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes)
            try scanner.readString(into: &decoded)
            #expect(scanner.isAtEnd)
        }
        #expect(decoded == text)
        // And the system decoder reads the same text.
        let system = try JSONDecoder().decode(String.self, from: Data(output))
        #expect(Array(system.utf8) == text)
    }

    @Test func theStringFormWritesTheSameBytesAsTheByteForm() {
        let text = "a\"b\u{8}c\u{1F}é"
        var fromString: [UInt8] = []
        JSONText.appendString(text, to: &fromString)
        #expect(String(decoding: fromString, as: UTF8.self) == Self.written(Array(text.utf8)))
    }

    @Test func integersAreWrittenAsStringFormatsThem() {
        for value in [0, 7, -7, 10, 1_000_000, Int.max, Int.min] {
            var output: [UInt8] = []
            JSONText.appendInteger(value, to: &output)
            #expect(String(decoding: output, as: UTF8.self) == String(value))
        }
        var output: [UInt8] = []
        JSONText.appendDecimal(UInt64.max, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == String(UInt64.max))
    }
}
