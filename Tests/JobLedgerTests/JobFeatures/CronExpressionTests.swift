import Foundation
import JobLedger
import Testing

/// Cron expressions: what the parser refuses, field by field, and the
/// occurrences of accepted ones, in UTC and across daylight saving changes.
@Suite struct CronExpressionTests {
    static func at(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad time in a test: \(text)") }
        return date
    }

    static func zone(_ name: String) throws -> TimeZone { try #require(TimeZone(identifier: name)) }

    /// The first `count` occurrences after `from`.
    static func occurrences(_ expression: String, zone: String = "UTC", from: String, count: Int) throws -> [String] {
        let timeline = CronTimeline(try CronExpression(parsing: expression), zone: try Self.zone(zone))
        var found: [String] = []
        var after = at(from)
        let formatter = ISO8601DateFormatter()
        for _ in 0..<count {
            guard let next = timeline.next(after: after) else { break }
            found.append(formatter.string(from: next))
            after = next
        }
        return found
    }

    @Test(arguments: [
        ("", "expression", "empty"),
        ("* * * *", "expression", "4 fields"),
        ("* * * * * *", "expression", "6 fields"),
        ("@reboot", "expression", "not a known macro"),
        ("@daily *", "expression", "stands alone"),
        ("60 * * * *", "minute", "60 is out of range 0-59"),
        ("-1 * * * *", "minute", "missing a value"),
        ("*/0 * * * *", "minute", "step"),
        ("*/60 * * * *", "minute", "step"),
        ("1-2-3 * * * *", "minute", "not a value"),
        ("1,,2 * * * *", "minute", "empty item"),
        ("a * * * *", "minute", "'a' is not a number"),
        ("1/2/3 * * * *", "minute", "more than one step"),
        ("0 24 * * *", "hour", "24 is out of range 0-23"),
        ("0 5-1 * * *", "hour", "runs backwards"),
        ("0 */x * * *", "hour", "not a whole number"),
        ("0 0 0 * *", "day-of-month", "0 is out of range 1-31"),
        ("0 0 32 * *", "day-of-month", "32 is out of range 1-31"),
        ("0 0 L * *", "day-of-month", "'L' is not a number"),
        ("0 0 * 13 *", "month", "13 is out of range 1-12"),
        ("0 0 * JANUARY *", "month", "'JANUARY' is not a number or a name"),
        ("0 0 * DEC-JAN *", "month", "runs backwards"),
        ("0 0 * * 8", "day-of-week", "8 is out of range 0-7"),
        ("0 0 * * MON#2", "day-of-week", "'MON#2' is not a number"),
        ("0 0 * * */7", "day-of-week", "step"),
        ("0 0 * * FRI-MON", "day-of-week", "runs backwards"),
    ])
    func everyMalformedExpressionIsRefusedNamingItsFieldAndFault(expression: String, field: String, fault: String) {
        #expect {
            try CronExpression(parsing: expression)
        } throws: { error in
            guard let error = error as? CronExpressionError else { return false }
            return error.field == field && "\(error)".contains(fault) && "\(error)".contains(field)
        }
    }

    @Test(arguments: [
        // Steps, from the start of the hour and from a value.
        ("*/15 * * * *", "2026-03-10T10:07:00Z", ["2026-03-10T10:15:00Z", "2026-03-10T10:30:00Z", "2026-03-10T10:45:00Z", "2026-03-10T11:00:00Z"]),
        ("1-30/10 * * * *", "2026-03-10T10:27:30Z", ["2026-03-10T11:01:00Z", "2026-03-10T11:11:00Z", "2026-03-10T11:21:00Z", "2026-03-10T12:01:00Z"]),
        ("5/20 8 * * *", "2026-03-10T08:05:00Z", ["2026-03-10T08:25:00Z", "2026-03-10T08:45:00Z", "2026-03-11T08:05:00Z"]),
        // February 29th: only in leap years.
        ("0 0 29 2 *", "2026-01-01T00:00:00Z", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"]),
        // The 31st skips the months without one; 30,31 catches the last days of most.
        ("0 12 31 * *", "2026-01-31T12:00:00Z", ["2026-03-31T12:00:00Z", "2026-05-31T12:00:00Z", "2026-07-31T12:00:00Z", "2026-08-31T12:00:00Z"]),
        ("0 0 30,31 * *", "2026-02-01T00:00:00Z", ["2026-03-30T00:00:00Z", "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z", "2026-05-30T00:00:00Z"]),
        ("59 23 31 12 *", "2026-12-31T23:59:00Z", ["2027-12-31T23:59:00Z", "2028-12-31T23:59:00Z"]),
        // Both day fields restricted: the 1st of the month or a Monday.
        ("0 9 1 * MON", "2026-01-31T12:00:00Z", ["2026-02-01T09:00:00Z", "2026-02-02T09:00:00Z", "2026-02-09T09:00:00Z", "2026-02-16T09:00:00Z", "2026-02-23T09:00:00Z", "2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z"]),
        // One of them starting with *: both must match (odd days that are Mondays).
        ("0 9 */2 * mon", "2026-02-01T00:00:00Z", ["2026-02-09T09:00:00Z", "2026-02-23T09:00:00Z", "2026-03-09T09:00:00Z", "2026-03-23T09:00:00Z"]),
        // Names of months and days, any case; 7 is Sunday.
        ("0 6 * JAN,jul Sun", "2026-06-30T00:00:00Z", ["2026-07-05T06:00:00Z", "2026-07-12T06:00:00Z"]),
        ("0 0 * * 7", "2026-07-01T00:00:00Z", ["2026-07-05T00:00:00Z", "2026-07-12T00:00:00Z"]),
        ("0 0 * * 5-7", "2026-07-01T00:00:00Z", ["2026-07-03T00:00:00Z", "2026-07-04T00:00:00Z", "2026-07-05T00:00:00Z", "2026-07-10T00:00:00Z"]),
        ("15 14 1 * MON-FRI", "2026-08-01T00:00:00Z", ["2026-08-01T14:15:00Z", "2026-08-03T14:15:00Z"]),
        // Macros.
        ("@hourly", "2026-03-10T10:07:00Z", ["2026-03-10T11:00:00Z", "2026-03-10T12:00:00Z"]),
        ("@daily", "2026-03-10T10:07:00Z", ["2026-03-11T00:00:00Z"]),
        ("@weekly", "2026-03-11T10:07:00Z", ["2026-03-15T00:00:00Z", "2026-03-22T00:00:00Z"]),
        ("@monthly", "2026-03-11T10:07:00Z", ["2026-04-01T00:00:00Z"]),
        ("@yearly", "2026-03-11T10:07:00Z", ["2027-01-01T00:00:00Z"]),
        ("@ANNUALLY", "2026-03-11T10:07:00Z", ["2027-01-01T00:00:00Z"]),
    ])
    func nextOccurrencesFollowEveryField(expression: String, from: String, expected: [String]) throws {
        #expect(try Self.occurrences(expression, from: from, count: expected.count) == expected)
    }

    @Test func theLastOccurrenceAtOrBeforeATimeIsTheOneBeforeTheNext() throws {
        for expression in ["*/15 * * * *", "0 0 29 2 *", "0 9 1 * MON", "0 12 31 * *", "30 2 * * *"] {
            for zone in ["UTC", "Europe/Paris", "America/New_York"] {
                let timeline = CronTimeline(try CronExpression(parsing: expression), zone: try Self.zone(zone))
                var previous = try #require(timeline.next(after: Self.at("2026-01-01T00:00:00Z")))
                for _ in 0..<40 {
                    let next = try #require(timeline.next(after: previous))
                    #expect(timeline.last(atOrBefore: next) == next, "\(expression) in \(zone)")
                    #expect(timeline.last(atOrBefore: next - 1) == previous, "\(expression) in \(zone)")
                    #expect(next.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0)
                    previous = next
                }
            }
        }
    }

    @Test func anExpressionThatNeverMatchesHasNoOccurrenceAndTheSearchEnds() throws {
        let clock = ContinuousClock()
        let started = clock.now
        for expression in ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 FEB *"] {
            let timeline = CronTimeline(try CronExpression(parsing: expression), zone: try Self.zone("UTC"))
            #expect(timeline.next(after: Self.at("2026-01-01T00:00:00Z")) == nil, "\(expression)")
            #expect(timeline.last(atOrBefore: Self.at("2026-01-01T00:00:00Z")) == nil, "\(expression)")
        }
        // By field, not by minute: 400 years of nothing are searched in
        // a fraction of a second (a minute-by-minute search would take
        // minutes); the bound leaves room for a loaded machine.
        #expect(clock.now - started < .seconds(30))
    }

    // MARK: Daylight saving

    @Test func hourlyInParisFiresOnceAnHourAcrossSpringForwardAndSkipsTheRepeatedHourInAutumn() throws {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC); the skipped 02:00 fires at 03:00, once.
        #expect(try Self.occurrences("0 * * * *", zone: "Europe/Paris", from: "2026-03-28T23:30:00Z", count: 3)
            == ["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"])
        // 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:00 fires at its first occurrence only.
        #expect(try Self.occurrences("0 * * * *", zone: "Europe/Paris", from: "2026-10-24T22:30:00Z", count: 3)
            == ["2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"])
    }

    @Test func twoThirtyInParisFiresAtTheEndOfTheGapInSpringAndAtItsFirstOccurrenceInAutumn() throws {
        #expect(try Self.occurrences("30 2 * * *", zone: "Europe/Paris", from: "2026-03-28T12:00:00Z", count: 3)
            == ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"])
        #expect(try Self.occurrences("30 2 * * *", zone: "Europe/Paris", from: "2026-10-24T12:00:00Z", count: 3)
            == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"])
        // In the repeated hour, the last occurrence is the first 02:30, already past.
        let timeline = CronTimeline(try CronExpression(parsing: "30 2 * * *"), zone: try Self.zone("Europe/Paris"))
        #expect(timeline.last(atOrBefore: Self.at("2026-10-25T01:10:00Z")) == Self.at("2026-10-25T00:30:00Z"))
        // Asked from inside the repeated hour, the next is the next day's.
        #expect(timeline.next(after: Self.at("2026-10-25T01:10:00Z")) == Self.at("2026-10-26T01:30:00Z"))
    }

    @Test func hourlyInNewYorkAcrossBothChanges() throws {
        // 8 March 2026: 02:00 EST becomes 03:00 EDT (07:00 UTC).
        #expect(try Self.occurrences("0 * * * *", zone: "America/New_York", from: "2026-03-08T05:30:00Z", count: 3)
            == ["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"])
        // 1 November 2026: 02:00 EDT becomes 01:00 EST (06:00 UTC); 01:00 fires once, on EDT.
        #expect(try Self.occurrences("0 * * * *", zone: "America/New_York", from: "2026-11-01T03:30:00Z", count: 3)
            == ["2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z"])
    }

    @Test func twoThirtyAndOneThirtyInNewYorkAcrossBothChanges() throws {
        #expect(try Self.occurrences("30 2 * * *", zone: "America/New_York", from: "2026-03-07T12:00:00Z", count: 2)
            == ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"])
        // In autumn 02:30 occurs once (EST); 01:30 twice, and fires at the first (EDT).
        #expect(try Self.occurrences("30 2 * * *", zone: "America/New_York", from: "2026-10-31T12:00:00Z", count: 2)
            == ["2026-11-01T07:30:00Z", "2026-11-02T07:30:00Z"])
        #expect(try Self.occurrences("30 1 * * *", zone: "America/New_York", from: "2026-10-31T12:00:00Z", count: 2)
            == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
    }
}
