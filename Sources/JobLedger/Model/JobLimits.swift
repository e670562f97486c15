import EventStore
import Foundation

/// The bounds of every number a caller gives the job ledger, checked before
/// anything is read or written.
///
/// Numbers this small can be added, subtracted and multiplied in any
/// combination the ledger uses without overflowing, and every lease ends
/// well inside ``LedgerTimeRange``.
public enum JobLimits {
    /// Attempts a job may take per submission or manual retry.
    public static let maxAttempts: ClosedRange<Int> = 1...1000
    /// Job priorities; higher runs first, negative runs after the default 0.
    public static let priority: ClosedRange<Int> = -1_000_000...1_000_000
    /// The longest lease, in seconds: 30 days. A lease must also be finite
    /// and longer than zero.
    public static let maxLeaseSeconds: TimeInterval = 30 * 24 * 3600
    /// The longest run time a job may be given, in seconds: 30 days. It
    /// must also be finite and at least a millisecond.
    public static let maxTimeoutSeconds: TimeInterval = 30 * 24 * 3600
    /// The longest delay a submission may ask for, in seconds: 10 years.
    public static let maxDelaySeconds: TimeInterval = 10 * 366 * 24 * 3600
    /// The largest limit on jobs of one type running at once.
    public static let maxConcurrencyLimit = 1_000_000
    /// The largest rate limit: claims of one type per period.
    public static let maxRateLimit = 100_000
    /// The longest period of a rate limit, in seconds: a day.
    public static let maxRatePeriodSeconds: TimeInterval = 86_400
    /// The longest retention period of a job type: a hundred years, in seconds.
    public static let maxRetentionSeconds = 3_155_760_000
    /// The most tags one job may carry.
    public static let maxTags = 20
    /// The most jobs one job may wait for.
    public static let maxDependencies = 100
    /// The longest window of a unique key (``UniqueKey/window``), in
    /// seconds: a year. It must also be finite and at least a millisecond.
    public static let maxUniqueWindowSeconds: TimeInterval = 366 * 24 * 3600
    /// The largest page a listing returns.
    public static let maxPageSize = 10_000
}

/// Instants of the jobs domain checked against ``LedgerTimeRange``.
enum LedgerInstant {
    /// Whole milliseconds since 1970 of `date`, or `nil` when it is not
    /// finite or outside ``LedgerTimeRange``.
    static func millis(_ date: Date) -> Int64? {
        guard let millis = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()),
              LedgerTimeRange.millis.contains(millis) else { return nil }
        return millis
    }

    /// Whether `date` may be stored.
    static func isAccepted(_ date: Date) -> Bool { millis(date) != nil }

    /// The date of `text` when it is an ISO-8601 instant inside the range.
    static func date(from text: String) -> Date? {
        guard let date = UTCTimestamp.date(from: text), let millis = millis(date) else { return nil }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// Refuses `date` for `field` unless it is inside the range.
    static func check(_ date: Date, field: String) throws(JobLedgerError) {
        guard isAccepted(date) else {
            throw .invalidInput(field: field, reason: "\(describe(date)) is outside \(LedgerTimeRange.description)")
        }
    }

    /// A date for an error message, also when it has no calendar form.
    static func describe(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e14 else { return "\(seconds) seconds after 1970" }
        return UTCTimestamp.text(date)
    }
}
