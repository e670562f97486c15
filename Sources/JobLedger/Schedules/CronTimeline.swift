import Foundation

/// A cron expression's occurrences in a time zone: the instants whose wall
/// clock there shows a minute the expression matches.
///
/// Daylight saving and other changes of a zone's offset:
/// - a wall-clock time the change skips (02:30 on a spring-forward night in
///   Paris) occurs once, at the first instant after the gap (03:00, the
///   new offset);
/// - a wall-clock time that occurs twice (02:30 on an autumn night in
///   Paris) occurs once, at its first occurrence (still on summer time).
///
/// Every occurrence is a whole minute in UTC in zones whose offsets are
/// whole minutes, which is every zone since 1972.
public struct CronTimeline: Sendable, Hashable {
    /// The expression.
    public let expression: CronExpression
    /// The zone its wall clock is read in.
    public let zone: TimeZone

    /// The occurrences of `expression` in `zone`.
    public init(_ expression: CronExpression, zone: TimeZone) {
        self.expression = expression
        self.zone = zone
    }

    /// The first occurrence strictly after `instant`, or `nil` when there
    /// is none within 400 years (an expression that never matches).
    public func next(after instant: Date) -> Date? {
        let after = Int64(instant.timeIntervalSince1970.rounded(.down))
        var from = localMinute(at: after) + 1
        // Only wall-clock times that occur twice send the search round again:
        // their first occurrence may already be past.
        for _ in 0..<2000 {
            guard let wall = expression.nextMinute(atOrAfter: CivilMinute(minutesSinceEpoch: from)) else { return nil }
            let occurrence = self.instant(of: wall.minutesSinceEpoch)
            if occurrence > after { return Date(timeIntervalSince1970: Double(occurrence)) }
            from = wall.minutesSinceEpoch + 1
        }
        return nil
    }

    /// The last occurrence at or before `instant`, or `nil` when there is
    /// none within 400 years before it.
    public func last(atOrBefore instant: Date) -> Date? {
        let atOrBefore = Int64(instant.timeIntervalSince1970.rounded(.down))
        var from = localMinute(at: atOrBefore)
        var found: Int64?
        for _ in 0..<2000 {
            guard let wall = expression.previousMinute(atOrBefore: CivilMinute(minutesSinceEpoch: from)) else { return nil }
            let occurrence = self.instant(of: wall.minutesSinceEpoch)
            if occurrence <= atOrBefore {
                found = occurrence
                break
            }
            from = wall.minutesSinceEpoch - 1
        }
        guard var last = found else { return nil }
        // After the clocks went back, the wall clock shows times whose first
        // occurrence came after what it shows now: step forward over them.
        while let next = next(after: Date(timeIntervalSince1970: Double(last))),
              Int64(next.timeIntervalSince1970) <= atOrBefore
        {
            last = Int64(next.timeIntervalSince1970)
        }
        return Date(timeIntervalSince1970: Double(last))
    }

    /// The wall-clock minute in the zone at `seconds` since the epoch.
    private func localMinute(at seconds: Int64) -> Int64 {
        let local = seconds + offset(at: seconds)
        return local >= 0 ? local / 60 : (local - 59) / 60
    }

    private func offset(at seconds: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
    }

    /// The instant (seconds since the epoch) of the wall-clock minute
    /// `minutes`: its only occurrence, its first when it occurs twice, the
    /// first instant after the gap when the zone skips it.
    private func instant(of minutes: Int64) -> Int64 {
        let wall = minutes * 60
        let before = offset(at: wall - 86_400)
        let after = offset(at: wall + 86_400)
        let candidates = Set([wall - before, wall - after, wall - offset(at: wall)])
            .filter { offset(at: $0) == wall - $0 }
        if let first = candidates.min() { return first }
        // Skipped: find the change of offset between the two readings.
        var low = min(wall - before, wall - after)
        var high = max(wall - before, wall - after)
        let lowOffset = offset(at: low)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == lowOffset { low = middle } else { high = middle }
        }
        return high
    }
}
