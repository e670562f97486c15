import JobLedger
import Testing

/// The flat fast path and the general decoder of job payloads must agree:
/// the projection takes the first, replays and tools may take the second.
@Suite struct PayloadDecodingTests {
    static let claimed = #"{"attempt":1,"leaseUntil":"2026-11-23T12:00:30.000Z","worker":"w1"}"#

    @Test func theFlatReaderReadsWhatTheCommandsWrite() throws {
        let payload = Array(Self.claimed.utf8)
        let flat = PayloadCodec.decodeFlat(type: "JobClaimed", payload: payload)
        #expect(flat != nil)
        #expect(try flat == PayloadCodec.decodeGeneral(type: "JobClaimed", payload: payload))
    }

    @Test(arguments: [
        // A repeated key: the general decoder keeps the first value.
        #"{"attempt":1,"leaseUntil":"2026-11-23T12:00:30.000Z","worker":"w1","worker":"w2"}"#,
        // Leading zeros are not JSON.
        #"{"attempt":01,"leaseUntil":"2026-11-23T12:00:30.000Z","worker":"w1"}"#,
        #"{"attempt":-01,"leaseUntil":"2026-11-23T12:00:30.000Z","worker":"w1"}"#,
    ])
    func theFlatReaderLeavesWhatItCannotReadExactlyToTheGeneralDecoder(payload: String) throws {
        let bytes = Array(payload.utf8)
        #expect(PayloadCodec.decodeFlat(type: "JobClaimed", payload: bytes) == nil)
        let decoded = Result { try PayloadCodec.decode(type: "JobClaimed", payload: bytes) }
        let general = Result { try PayloadCodec.decodeGeneral(type: "JobClaimed", payload: bytes) }
        #expect(String(describing: decoded) == String(describing: general))
    }

    @Test func textThatIsNotUTF8IsRefusedRatherThanRepaired() throws {
        var bytes = Array(Self.claimed.utf8)
        bytes[bytes.count - 3] = 0xE7  // inside "w1"
        #expect(PayloadCodec.decodeFlat(type: "JobClaimed", payload: bytes) == nil)
        #expect(throws: (any Error).self) { try PayloadCodec.decode(type: "JobClaimed", payload: bytes) }
    }
}

/// Times in stored payloads: inside ``LedgerTimeRange`` or refused, by the
/// flat fast path and the general decoder alike.
@Suite struct PayloadTimeRangeTests {
    @Test(arguments: [
        "0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z",
        "2200-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
    ])
    func aTimeOutsideTheRangeIsRefusedByBothDecoders(time: String) throws {
        for (type, payload) in [
            ("JobClaimed", #"{"attempt":1,"leaseUntil":"\#(time)","worker":"w4"}"#),
            ("LeaseRenewed", #"{"attempt":1,"leaseUntil":"\#(time)","worker":"w4"}"#),
            ("AttemptFailed", #"{"attempt":1,"error":"e","retryAt":"\#(time)","worker":"w4"}"#),
            ("LeaseExpired", #"{"attempt":1,"nextState":"pending","retryAt":"\#(time)","worker":"w4"}"#),
        ] {
            let bytes = Array(payload.utf8)
            #expect(PayloadCodec.decodeFlat(type: type, payload: bytes) == nil, "\(type) \(time)")
            #expect(throws: DecodingError.self, "\(type) \(time)") { try PayloadCodec.decodeGeneral(type: type, payload: bytes) }
            #expect(throws: DecodingError.self, "\(type) \(time)") { try PayloadCodec.decode(type: type, payload: bytes) }
        }
    }

    @Test(arguments: ["1970-01-01T00:00:00.000Z", "2199-12-31T23:59:59.999Z", "2026-11-30T12:00:00Z"])
    func aTimeInsideTheRangeReadsTheSameEitherWay(time: String) throws {
        let bytes = Array(#"{"attempt":1,"leaseUntil":"\#(time)","worker":"w4"}"#.utf8)
        let flat = try #require(PayloadCodec.decodeFlat(type: "JobClaimed", payload: bytes))
        #expect(try PayloadCodec.decodeGeneral(type: "JobClaimed", payload: bytes) == flat)
    }
}
