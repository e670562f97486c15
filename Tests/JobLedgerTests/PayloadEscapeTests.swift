import JobLedger
import Testing

/// Escapes in stored payloads: the flat fast path now decodes `\u` escapes
/// itself (through the one scanner), and must give exactly what the
/// general decoder gives, or leave the payload to it.
@Suite struct PayloadEscapeTests {
    @Test(arguments: [
        #"{"actor":"u1","reason":"caf\u00e9 \ud83d\ude00 \u0000 \b\f\/ \"q\" \\"}"#,
        #"{"actor":"\u0075\u0031","reason":"\t\n\r"}"#,
        #"{"actor":"u1","reason":"plain"}"#,
    ])
    func escapedTextReadsTheSameOnTheFastPathAsInTheGeneralDecoder(payload: String) throws {
        let bytes = Array(payload.utf8)
        let flat = try #require(PayloadCodec.decodeFlat(type: "JobCancelled", payload: bytes))
        #expect(try PayloadCodec.decodeGeneral(type: "JobCancelled", payload: bytes) == flat)
    }

    @Test(arguments: [
        #"{"actor":"u1","reason":"\ud83d alone"}"#,  // an unpaired surrogate
        #"{"actor":"u1","re\u0061son":"r"}"#,  // an escaped key
    ])
    func whatTheFastPathRefusesIsDecidedByTheGeneralDecoder(payload: String) throws {
        let bytes = Array(payload.utf8)
        #expect(PayloadCodec.decodeFlat(type: "JobCancelled", payload: bytes) == nil)
        let decoded = Result { try PayloadCodec.decode(type: "JobCancelled", payload: bytes) }
        let general = Result { try PayloadCodec.decodeGeneral(type: "JobCancelled", payload: bytes) }
        #expect(String(describing: decoded) == String(describing: general))
    }

    @Test func controlCharactersInTextAreStoredAsEscapesAndReadBack() throws {
        let reason = String(decoding: Array(UInt8(0)..<0x20) + Array("\"\\é".utf8), as: UTF8.self)
        let event = JobEvent.cancelled(.init(actor: "u1", reason: reason))
        let stored = try PayloadCodec.encode(event)
        let text = String(decoding: stored, as: UTF8.self)
        #expect(text.contains(#""reason":"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\t\n\u000b\u000c\r\u000e"#))
        #expect(PayloadCodec.decodeFlat(type: "JobCancelled", payload: stored) == event)
        #expect(try PayloadCodec.decodeGeneral(type: "JobCancelled", payload: stored) == event)
    }
}
