import EventStore
import Foundation
import Testing

/// The flat object reader of job payloads: what it reads itself, and what
/// it leaves to the general decoder by answering `nil`.
@Suite struct FlatJSONObjectTests {
    static func object(_ text: String) -> FlatJSONObject? { FlatJSONObject(parsing: Array(text.utf8)) }

    @Test func scalarsAreReadWithTheirKinds() throws {
        let object = try #require(Self.object(#" { "s" : "x" , "i":-42,"t":true,"f":false,"n":null } "#))
        #expect(object["s"] == .string("x"))
        #expect(object["i"] == .int(-42))
        #expect(object["t"] == .bool(true))
        #expect(object["f"] == .bool(false))
        #expect(object["n"] == .null)
        #expect(object["missing"] == nil)
        #expect(Self.object("{}") != nil)
    }

    @Test func escapedValuesAreDecodedAsTheGeneralDecoderDecodesThem() throws {
        let text = #"{"v":"tab\tquote\"slash\/e\u00e9 pair\ud83d\ude00 nul\u0000 bs\b"}"#
        let object = try #require(Self.object(text))
        let general = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(object["v"] == .string(try #require(general["v"])))
    }

    @Test(arguments: [
        #"{"a":1,"a":2}"#,  // a repeated key
        #"{"\u0061":1}"#,  // a key with an escape
        #"{"a":{"b":1}}"#, #"{"a":[1]}"#,  // nesting
        #"{"a":1.5}"#, #"{"a":1e3}"#, #"{"a":01}"#, #"{"a":9223372036854775808}"#,  // not a whole Int
        #"{"a":"\ud83d"}"#,  // an unpaired surrogate
        #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":1} x"#, #"[1]"#, #""#, #"{"a":tru}"#,
    ])
    func whatItCannotReadExactlyIsLeftToTheGeneralDecoder(text: String) {
        #expect(Self.object(text) == nil)
    }

    @Test func textThatIsNotUTF8IsRefusedInKeysAndValues() {
        let value = Array(#"{"a":"x"#.utf8) + [0xC3] + Array(#""}"#.utf8)
        let key = Array(#"{"a"#.utf8) + [0xFF] + Array(#"":1}"#.utf8)
        #expect(FlatJSONObject(parsing: value) == nil)
        #expect(FlatJSONObject(parsing: key) == nil)
    }

    @Test func whatTheObjectWriterWritesReadsBackField(){
        var writer = JSONObjectWriter()
        let awkward = "q\"b\\s/\u{1}\u{8}\u{C}\n\r\t\u{7F}é😀"
        writer.string("text", awkward)
        writer.string("absent", nil)
        writer.int("low", Int.min)
        writer.int("high", Int.max)
        writer.bool("yes", true)
        writer.date("at", Date(timeIntervalSince1970: 1_795_435_200.123))
        let bytes = writer.finish()
        let object = FlatJSONObject(parsing: bytes)
        #expect(object?["text"] == .string(awkward))
        #expect(object?["absent"] == nil)
        #expect(object?["low"] == .int(Int.min))
        #expect(object?["high"] == .int(Int.max))
        #expect(object?["yes"] == .bool(true))
        #expect(object?["at"] == .string("2026-11-23T12:00:00.123Z"))
    }
}
