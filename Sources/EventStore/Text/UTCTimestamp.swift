import Foundation
import LedgerWire

/// The ledger's one timestamp type: ISO-8601 UTC instants such as
/// `2026-11-23T12:00:00.123456Z`, written and read by hand (the system's
/// ISO-8601 format style cost more than the rest of a job event's decoding
/// together).
///
/// Two widths of the same form: recorded times in exports and imports
/// carry microseconds; job events, answers and reports carry milliseconds
/// (the canonical 24-character text). ``LedgerTimeRange`` bounds what the
/// ledger stores; the text forms themselves reach further, so that an
/// error message can still name a time outside it.
package enum UTCTimestamp {
    // MARK: Microseconds

    /// Appends an instant with `fractionDigits` (1 to 6) fractional digits,
    /// such as `2026-11-23T12:00:00.123456Z`; a finer part of the second is
    /// dropped.
    ///
    /// Years 0 to 9999 take four digits; others use the expanded form with
    /// a sign (`+10000`, `-0001`), which ``parse(_:)`` reads back.
    package static func append(micros: Int64, fractionDigits: Int = 6, to output: inout [UInt8]) {
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        if year < 0 {
            output.append(0x2D)
            appendPadded(-year, width: 4, to: &output)
        } else {
            if year > 9999 { output.append(0x2B) }
            appendPadded(year, width: 4, to: &output)
        }
        output.append(0x2D)
        appendPadded(month, width: 2, to: &output)
        output.append(0x2D)
        appendPadded(day, width: 2, to: &output)
        output.append(0x54)  // T
        let seconds = rest / 1_000_000
        appendPadded(seconds / 3600, width: 2, to: &output)
        output.append(0x3A)
        appendPadded(seconds / 60 % 60, width: 2, to: &output)
        output.append(0x3A)
        appendPadded(seconds % 60, width: 2, to: &output)
        output.append(0x2E)
        var fraction = rest % 1_000_000
        for _ in fractionDigits..<6 { fraction /= 10 }
        appendPadded(fraction, width: fractionDigits, to: &output)
        output.append(0x5A)  // Z
    }

    /// The text ``append(micros:fractionDigits:to:)`` writes, as a string.
    package static func text(micros: Int64, fractionDigits: Int) -> String {
        precondition((1...6).contains(fractionDigits), "fractionDigits must be 1 to 6")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        append(micros: micros, fractionDigits: fractionDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits.
    private static func appendPadded(_ value: Int64, width: Int, to output: inout [UInt8]) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        for _ in digits..<max(width, digits) { output.append(0x30) }
        JSONText.appendDecimal(UInt64(value), to: &output)
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS`, an optional fraction of one to six
    /// digits, then `Z` (a signed year of 4 to 6 digits is read too).
    /// Returns microseconds since 1970, or why the text is not such an
    /// instant: impossible dates (February 30, hour 24) are refused.
    package static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<Int64, TimestampError> {
        var index = 0
        func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<count {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
                index += 1
            }
            return value
        }
        func literal(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        var sign: Int64 = 1
        var yearDigits = 4
        var expanded = false
        if literal(0x2D) {
            sign = -1
            expanded = true
        } else if literal(0x2B) {
            expanded = true
        }
        if expanded {
            // A signed year may have more than four digits.
            var end = index
            while end < bytes.count, bytes[end] >= 0x30 && bytes[end] <= 0x39 { end += 1 }
            yearDigits = end - index
            guard yearDigits >= 4 && yearDigits <= 6 else { return .failure(.init("the year must have 4 to 6 digits")) }
        }
        guard let yearValue = digits(yearDigits), literal(0x2D),
              let month = digits(2), literal(0x2D), let day = digits(2), literal(0x54),
              let hour = digits(2), literal(0x3A), let minute = digits(2), literal(0x3A),
              let second = digits(2)
        else { return .failure(.init("expected the form YYYY-MM-DDTHH:MM:SS.ffffffZ")) }
        let year = sign * yearValue
        guard (1...12).contains(month) else { return .failure(.init("month \(month) is out of range")) }
        guard day >= 1 && day <= CivilCalendar.daysInMonth(month, year: year) else {
            return .failure(.init("day \(day) is out of range for the month"))
        }
        guard hour < 24, minute < 60, second < 60 else { return .failure(.init("the time of day is out of range")) }
        var fraction: Int64 = 0
        if literal(0x2E) {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                guard index - start < 6 else { return .failure(.init("more than six fractional digits")) }
                fraction = fraction * 10 + Int64(bytes[index] - 0x30)
                index += 1
            }
            let count = index - start
            guard count > 0 else { return .failure(.init("no digits after the decimal point")) }
            for _ in count..<6 { fraction *= 10 }
        }
        guard literal(0x5A) else { return .failure(.init("the time must be UTC, ending in 'Z'")) }
        guard index == bytes.count else { return .failure(.init("unexpected text after 'Z'")) }
        var seconds = CivilCalendar.days(year: year, month: month, day: day) * 86_400 + (hour * 60 + minute) * 60 + second
        // Borrow a second for the fraction before 1970, so the last second
        // before Int64.min microseconds (which the export writes) does not
        // overflow on the way.
        if seconds < 0 && fraction > 0 {
            seconds += 1
            fraction -= 1_000_000
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (micros, overflow2) = scaled.addingReportingOverflow(fraction)
        guard !overflow && !overflow2 else { return .failure(.init("the instant is out of range")) }
        return .success(micros)
    }

    /// Microseconds since 1970 of the text ``parse(_:)`` reads, or `nil`.
    package static func micros(parsing text: UnsafeRawBufferPointer) -> Int64? {
        try? parse(text).get()
    }

    // MARK: Milliseconds

    /// The length of the canonical text, `2026-11-23T12:00:00.123Z`.
    package static let canonicalLength = 24
    /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in milliseconds.
    private static let fourDigitYears: Range<Int64> = -62_167_219_200_000..<253_402_300_800_000

    /// The canonical text of `millis` milliseconds since 1970, or `nil`
    /// outside years 0000...9999.
    package static func canonicalText(millis: Int64) -> String? {
        guard fourDigitYears.contains(millis) else { return nil }
        return text(micros: millis * 1000, fractionDigits: 3)
    }

    /// `2026-11-23T12:00:00.123Z`, rounded to the nearest millisecond (the
    /// system formatter truncates, which would lose a millisecond on a
    /// round trip). Years outside 0000...9999 take the system's form; a
    /// date with no calendar form is described in seconds.
    package static func text(_ date: Date) -> String {
        // No calendar form (not finite, or past Int64 milliseconds): the
        // ledger never stores such a time, but a message may name one.
        guard let millis = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()),
              abs(millis) < 1 << 55 else { return "\(date.timeIntervalSince1970) seconds after 1970" }
        if let text = canonicalText(millis: millis) { return text }
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = Int(millis - seconds * 1000)
        let whole = plainStyle.format(Date(timeIntervalSince1970: Double(seconds)))
        let digits = String(fraction + 1000).dropFirst()
        return whole.dropLast() + "." + digits + "Z"
    }

    /// The instant of `text`: the canonical 24-character text by hand, any
    /// other ISO-8601 form (no fraction, a numeric offset) through the
    /// system parser, so what is accepted is what the ledger always
    /// accepted. `nil` when neither reads it.
    package static func date(from text: String) -> Date? {
        var text = text
        let millis: Int64? = text.withUTF8 { bytes in
            guard bytes.count == canonicalLength else { return nil }
            return micros(parsing: UnsafeRawBufferPointer(bytes)).map { $0 / 1000 }
        }
        if let millis { return Date(timeIntervalSince1970: Double(millis) / 1000) }
        return (try? fractionStyle.parse(text)) ?? (try? plainStyle.parse(text))
    }

    private static let fractionStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let plainStyle = Date.ISO8601FormatStyle()
}

/// Why a text is not a timestamp the ledger reads.
package struct TimestampError: Error {
    /// The reason, as a phrase for an error message.
    package let reason: String
    init(_ reason: String) { self.reason = reason }
}
