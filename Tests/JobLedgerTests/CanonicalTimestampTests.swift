import EventStore
import Foundation
import JobLedger
import Testing

/// The hand-written timestamp text of job events against the system's
/// ISO-8601 format style, which the ledger used before and still falls
/// back to.
@Suite struct CanonicalTimestampTests {
    static let systemStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// 1583-01-01, the first whole year of the Gregorian calendar: the
    /// system style switches to the Julian calendar before it, where ISO
    /// 8601 (and the ledger) keep counting Gregorian days.
    static let gregorianStart: Int64 = -12_212_553_600_000
    static let tenThousand: Int64 = 253_402_300_800_000

    /// Milliseconds spread over years 1583 to 9999, leap days and the epoch included.
    static func samples() -> [Int64] {
        var generator = SystemRandomNumberGenerator()
        var samples: [Int64] = [0, -1, 1, 951_782_400_000, 951_868_799_999, tenThousand - 1, gregorianStart]
        for _ in 0..<2000 {
            samples.append(Int64.random(in: gregorianStart..<tenThousand, using: &generator))
        }
        return samples
    }

    @Test func formattedTextIsWhatTheSystemParserReadsBackToTheSameMillisecond() throws {
        for millis in Self.samples() {
            let text = try #require(UTCTimestamp.canonicalText(millis: millis))
            #expect(text.utf8.count == UTCTimestamp.canonicalLength)
            let system = try Self.systemStyle.parse(text)
            #expect(Int64((system.timeIntervalSince1970 * 1000).rounded()) == millis, "\(text)")
        }
    }

    @Test func parsedCanonicalTextEqualsTheSystemParser() throws {
        for millis in Self.samples() {
            let text = try #require(UTCTimestamp.canonicalText(millis: millis))
            let ours = try #require(UTCTimestamp.date(from: text))
            let system = try Self.systemStyle.parse(text)
            #expect(abs(ours.timeIntervalSince(system)) < 0.000_5, "\(text)")
        }
    }

    @Test func everyFourDigitYearRoundTripsThroughTheHandWrittenForm() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let millis = Int64.random(in: -62_167_219_200_000..<Self.tenThousand, using: &generator)
            let text = try #require(UTCTimestamp.canonicalText(millis: millis))
            let date = try #require(UTCTimestamp.date(from: text))
            #expect(Int64((date.timeIntervalSince1970 * 1000).rounded()) == millis, "\(text)")
        }
    }

    @Test func otherFormsStillGoThroughTheSystemParser() throws {
        // No fraction, and a numeric offset: not canonical, still accepted.
        #expect(UTCTimestamp.date(from: "2026-11-23T12:00:00Z") == Date(timeIntervalSince1970: 1_795_435_200))
        #expect(UTCTimestamp.date(from: "2026-11-23T13:00:00.000+01:00") == Date(timeIntervalSince1970: 1_795_435_200))
        // Impossible dates of canonical length get whatever the system makes of them.
        for text in ["2026-02-30T12:00:00.000Z", "2026-11-23T24:00:00.000Z"] {
            #expect(UTCTimestamp.date(from: text) == (try? Self.systemStyle.parse(text)))
        }
        #expect(UTCTimestamp.canonicalText(millis: Self.tenThousand) == nil)
    }
}
