import Foundation
import LedgerWire

/// The ledger's times on the wire: ISO-8601 UTC such as
/// `2026-11-23T12:00:00.123Z` (answers) or `...00.123456Z` (events).
enum LedgerTimestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; `nil` for anything else.
    /// Written out by hand: every job in every answer carries two or three
    /// times, and a general date parser is the slowest part of decoding one.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54,
                  bytes[13] == 0x3A, bytes[16] == 0x3A, bytes[bytes.count - 1] == 0x5A
            else { return nil }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for index in from..<(from + count) {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                  let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                  (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
            else { return nil }
            var fraction = 0.0
            let end = bytes.count - 1
            if end > 19 {
                guard bytes[19] == 0x2E, end > 20, end - 20 <= 9, let digits = number(20, end - 20) else { return nil }
                fraction = Double(digits) / pow(10, Double(end - 20))
            } else if end != 19 {
                return nil
            }
            let days = Int(CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day)))
            let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
            return Date(timeIntervalSince1970: seconds)
        }
    }

    /// `2026-11-23T12:00:00.123Z`: milliseconds, as the server accepts them.
    static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (days, remainder) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let dayOffset = remainder < 0 ? days - 1 : days
        let inDay = remainder < 0 ? remainder + 86_400_000 : remainder
        let (year, month, day) = CivilCalendar.date(fromDays: dayOffset)
        let hour = inDay / 3_600_000, minute = inDay / 60_000 % 60, second = inDay / 1000 % 60, milli = inDay % 1000
        func pad(_ value: some BinaryInteger, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(milli, 3))Z"
    }
}
