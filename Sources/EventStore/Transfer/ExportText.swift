import Foundation

/// Byte-level writers for the export formats: JSON strings, numbers, ids
/// and timestamps (CSV fields have their own writer, ``CSVField``), appended to a reusable buffer without going
/// through `String` or `JSONEncoder`.
enum ExportText {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `value` in decimal.
    static func appendDecimal(_ value: UInt64, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, room for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            while rest > 0 {
                count += 1
                scratch[24 - count] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
            }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits.
    static func appendPadded(_ value: Int64, width: Int, to output: inout [UInt8]) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        for _ in digits..<max(width, digits) { output.append(0x30) }
        appendDecimal(UInt64(value), to: &output)
    }

    /// Appends `bytes`, which must be valid UTF-8, as a quoted JSON string.
    ///
    /// Quotes, backslashes and control characters are escaped; everything
    /// else, including non-ASCII text, is copied as it is.
    static func appendJSONString(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(0x22)
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C { continue }
            if runStart < index {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            }
            runStart = index + 1
            output.append(0x5C)
            switch byte {
            case 0x22: output.append(0x22)
            case 0x5C: output.append(0x5C)
            case 0x0A: output.append(0x6E)  // n
            case 0x0D: output.append(0x72)  // r
            case 0x09: output.append(0x74)  // t
            case 0x08: output.append(0x62)  // b
            case 0x0C: output.append(0x66)  // f
            default:
                output.append(contentsOf: [0x75, 0x30, 0x30])  // u00
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        if runStart < bytes.count {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(0x22)
    }

    /// Appends the 16 id bytes at `offset` in the canonical lowercase
    /// 8-4-4-4-12 form, without quotes.
    static func appendUUID(_ bytes: UnsafeRawBufferPointer, at offset: Int, to output: inout [UInt8]) {
        for index in 0..<16 {
            if index == 4 || index == 6 || index == 8 || index == 10 { output.append(0x2D) }
            let byte = bytes[offset + index]
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    /// Appends an instant as ISO-8601 UTC with `fractionDigits` (1 to 6)
    /// fractional digits, such as `2026-11-23T12:00:00.123456Z`; a finer
    /// part of the second is dropped.
    ///
    /// Years 0 to 9999 take four digits; others use the expanded form with
    /// a sign (`+10000`, `-0001`), which ``parseTimestamp(_:)`` reads back.
    static func appendTimestamp(micros: Int64, fractionDigits: Int = 6, to output: inout [UInt8]) {
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (year, month, day) = civilDate(fromDays: days)
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

    // MARK: Calendar

    /// Year, month and day of the proleptic Gregorian calendar for a count
    /// of days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilDate(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of
    /// ``civilDate(fromDays:)``).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(_ month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Reads an ISO-8601 UTC instant: `YYYY-MM-DDTHH:MM:SS`, an optional
    /// fraction of one to six digits, then `Z`. Returns microseconds since
    /// 1970, or why the text is not such an instant.
    static func parseTimestamp(_ bytes: UnsafeRawBufferPointer) -> Result<Int64, TimestampError> {
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
        guard day >= 1 && day <= daysInMonth(month, year: year) else {
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
        var seconds = days(year: year, month: month, day: day) * 86_400 + (hour * 60 + minute) * 60 + second
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

    /// Reads a UUID in the 8-4-4-4-12 form, in either case.
    static func parseUUID(_ bytes: UnsafeRawBufferPointer) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &uuid) { target -> Bool in
            var index = 0
            for byteIndex in 0..<16 {
                if byteIndex == 4 || byteIndex == 6 || byteIndex == 8 || byteIndex == 10 {
                    guard bytes[index] == 0x2D else { return false }
                    index += 1
                }
                guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else { return false }
                target[byteIndex] = high << 4 | low
                index += 2
            }
            return true
        }
        return valid ? UUID(uuid: uuid) : nil
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

/// Why a text is not an export timestamp.
struct TimestampError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

// MARK: UTF-8

enum UTF8Check {
    /// The length of the well-formed UTF-8 sequence that starts at `index`,
    /// or `nil` when the bytes there are not one (Unicode table 3-7: no
    /// overlong forms, no surrogates, nothing above U+10FFFF).
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index + offset < bytes.count && range.contains(bytes[index + offset])
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : nil
        case 0xE0:
            return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(1) && continuation(2) ? 3 : nil
        case 0xED:
            return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : nil
        case 0xF0:
            return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF1...0xF3:
            return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF4:
            return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : nil
        default:
            return nil
        }
    }

    /// Whether all of `bytes` is well-formed UTF-8.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            guard let length = sequenceLength(bytes, at: index) else { return false }
            index += length
        }
        return true
    }
}
