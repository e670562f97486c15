import EventStore
import Foundation

/// The timestamp text every job event stores, `2026-11-23T12:00:00.123Z`
/// (UTC, whole milliseconds), written and read without the system's
/// ISO-8601 format style, which cost more than the rest of a job event's
/// decoding together.
///
/// Only this exact 24-character form, of years 0000 to 9999, takes the
/// fast path; any other text goes to the system parser, so what is
/// accepted does not change.
package enum CanonicalTimestamp {
    package static let length = 24
    /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in milliseconds.
    private static let fourDigitYears: Range<Int64> = -62_167_219_200_000..<253_402_300_800_000

    /// The canonical text of `millis` milliseconds since 1970, or `nil`
    /// outside years 0000...9999.
    package static func format(millis: Int64) -> String? {
        guard fourDigitYears.contains(millis) else { return nil }
        return UTCTimestamp.text(micros: millis * 1000, fractionDigits: 3)
    }

    /// The instant of `text`: canonical text by hand, anything else
    /// through the system parser.
    package static func date(from text: String) -> Date? {
        var text = text
        let millis: Int64? = text.withUTF8 { bytes in
            guard bytes.count == length else { return nil }
            return UTCTimestamp.micros(parsing: UnsafeRawBufferPointer(bytes)).map { $0 / 1000 }
        }
        if let millis { return Date(timeIntervalSince1970: Double(millis) / 1000) }
        return JSONCoding.parseTimestamp(text)
    }
}
