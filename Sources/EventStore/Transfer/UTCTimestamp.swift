/// ISO-8601 UTC instants as the ledger writes them, for the layers built on
/// the store: the same hand-written calendar arithmetic the export uses.
package enum UTCTimestamp {
    /// `YYYY-MM-DDTHH:MM:SS.fZ` with `fractionDigits` (1 to 6) fractional
    /// digits; a finer part of the second is dropped.
    package static func text(micros: Int64, fractionDigits: Int) -> String {
        precondition((1...6).contains(fractionDigits), "fractionDigits must be 1 to 6")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        ExportText.appendTimestamp(micros: micros, fractionDigits: fractionDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Microseconds since 1970 of `YYYY-MM-DDTHH:MM:SS[.f]Z` (up to six
    /// fractional digits, UTC only), or `nil` for any other text.
    package static func micros(parsing text: UnsafeRawBufferPointer) -> Int64? {
        try? ExportText.parseTimestamp(text).get()
    }
}
