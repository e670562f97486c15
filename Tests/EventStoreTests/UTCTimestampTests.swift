import EventStore
import Foundation
import LedgerWire
import Testing

/// The one timestamp type: its text at the bounds of the ledger's range,
/// leap days, and the two widths (microseconds, canonical milliseconds).
@Suite struct UTCTimestampTests {
    static func micros(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBytes { UTCTimestamp.micros(parsing: $0) }
    }

    @Test func theBoundsOfTheLedgerRangeReadAndWriteExactly() {
        let first = LedgerTimeRange.micros.lowerBound
        let last = LedgerTimeRange.micros.upperBound - 1
        #expect(UTCTimestamp.text(micros: first, fractionDigits: 6) == "1970-01-01T00:00:00.000000Z")
        #expect(UTCTimestamp.text(micros: last, fractionDigits: 6) == "2199-12-31T23:59:59.999999Z")
        #expect(Self.micros("1970-01-01T00:00:00Z") == first)
        #expect(Self.micros("2199-12-31T23:59:59.999999Z") == last)
        #expect(Self.micros("2200-01-01T00:00:00Z") == LedgerTimeRange.micros.upperBound)
        #expect(LedgerTimeRange.millis.upperBound * 1000 == LedgerTimeRange.micros.upperBound)
        #expect(UTCTimestamp.canonicalText(millis: LedgerTimeRange.millis.upperBound - 1) == "2199-12-31T23:59:59.999Z")
        #expect(UTCTimestamp.canonicalText(millis: 0) == "1970-01-01T00:00:00.000Z")
    }

    @Test func leapDaysFollowTheGregorianRules() {
        #expect(Self.micros("2024-02-29T12:00:00Z") != nil)
        #expect(Self.micros("2000-02-29T00:00:00Z") != nil)  // divisible by 400
        #expect(Self.micros("1972-02-29T00:00:00Z") != nil)
        #expect(Self.micros("2100-02-29T00:00:00Z") == nil)  // divisible by 100 only
        #expect(Self.micros("2023-02-29T00:00:00Z") == nil)
        #expect(Self.micros("2024-02-30T00:00:00Z") == nil)
        #expect(Self.micros("2024-04-31T00:00:00Z") == nil)
        // The day after a leap day is one day later, the text round trips.
        let leap = Self.micros("2024-02-29T23:59:59.999999Z")
        #expect(leap.map { $0 + 1 } == Self.micros("2024-03-01T00:00:00Z"))
        #expect(leap.map { UTCTimestamp.text(micros: $0, fractionDigits: 6) } == "2024-02-29T23:59:59.999999Z")
    }

    @Test func everyDayOfFourHundredYearsRoundTripsThroughTheCalendar() {
        let start = CivilCalendar.days(year: 1970, month: 1, day: 1)
        #expect(start == 0)
        for days in Int64(-1)...(146_097 + 1) {
            let (year, month, day) = CivilCalendar.date(fromDays: days)
            #expect(day >= 1 && day <= CivilCalendar.daysInMonth(month, year: year))
            #expect(CivilCalendar.days(year: year, month: month, day: day) == days)
        }
    }

    @Test(arguments: [
        "2026-11-23T12:00:00.1234567Z", "2026-11-23T12:00:00.Z", "2026-11-23T12:00:00", "2026-11-23T12:00:00+01:00",
        "2026-11-23 12:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T12:60:00Z",
        "2026-11-23T12:00:60Z", "2026-11-23T12:00:00Zx", "+123-01-01T00:00:00Z",
    ])
    func textThatIsNotAnInstantIsRefusedWithAReason(text: String) {
        let result = Array(text.utf8).withUnsafeBytes { UTCTimestamp.parse($0) }
        guard case .failure(let error) = result else {
            Issue.record("\(text) was read")
            return
        }
        #expect(!error.reason.isEmpty)
    }

    @Test func theFractionIsTruncatedToTheDigitsAsked() {
        #expect(UTCTimestamp.text(micros: 1_999_999, fractionDigits: 3) == "1970-01-01T00:00:01.999Z")
        #expect(UTCTimestamp.text(micros: 1_999_999, fractionDigits: 1) == "1970-01-01T00:00:01.9Z")
        #expect(UTCTimestamp.text(micros: -1, fractionDigits: 6) == "1969-12-31T23:59:59.999999Z")
    }

    @Test func datesAreWrittenRoundedToTheMillisecondAndReadBack() {
        let date = Date(timeIntervalSince1970: 1_795_435_200.1236)
        #expect(UTCTimestamp.text(date) == "2026-11-23T12:00:00.124Z")
        #expect(UTCTimestamp.date(from: "2026-11-23T12:00:00.124Z") == Date(timeIntervalSince1970: 1_795_435_200.124))
        #expect(UTCTimestamp.date(from: "2024-02-29T00:00:00.000Z") != nil)
        #expect(UTCTimestamp.date(from: "not a time") == nil)
    }
}
