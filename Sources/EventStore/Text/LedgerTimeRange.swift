/// The instants the ledger accepts anywhere a time enters it: recorded
/// times, leases, `--since` and `--as-of` arguments, imported events and
/// stored job payloads. From 1970-01-01T00:00:00Z up to, not including,
/// 2200-01-01T00:00:00Z: wide enough for any real job, narrow enough that
/// adding a lease or a window to an instant cannot overflow, and that every
/// instant has one four-digit text form.
public enum LedgerTimeRange {
    /// The accepted instants in microseconds since 1970-01-01T00:00:00Z.
    public static let micros: Range<Int64> = 0..<7_258_118_400_000_000
    /// The accepted instants in milliseconds since 1970-01-01T00:00:00Z.
    public static let millis: Range<Int64> = 0..<7_258_118_400_000
    /// How the range reads in an error message.
    public static let description = "1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z"
}
