import LedgerWire

/// A minute on a wall clock of the proleptic Gregorian calendar, in no
/// time zone: what a cron expression matches.
struct CivilMinute: Hashable, Comparable, Sendable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int

    /// The minute `minutes` after 1970-01-01 00:00 on the same wall clock.
    init(minutesSinceEpoch minutes: Int64) {
        let days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440
        let inDay = Int(minutes - days * 1440)
        (year, month, day) = Self.civil(fromDays: Int(days))
        hour = inDay / 60
        minute = inDay % 60
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        (self.year, self.month, self.day, self.hour, self.minute) = (year, month, day, hour, minute)
    }

    /// Minutes since 1970-01-01 00:00 on the same wall clock.
    var minutesSinceEpoch: Int64 {
        Int64(Self.days(year: year, month: month, day: day)) * 1440 + Int64(hour * 60 + minute)
    }

    static func < (lhs: CivilMinute, rhs: CivilMinute) -> Bool { lhs.minutesSinceEpoch < rhs.minutesSinceEpoch }


    static func daysIn(year: Int, month: Int) -> Int {
        Int(CivilCalendar.daysInMonth(Int64(month), year: Int64(year)))
    }

    /// 0 for Sunday to 6 for Saturday.
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        // 1970-01-01 was a Thursday.
        let days = days(year: year, month: month, day: day)
        return ((days + 4) % 7 + 7) % 7
    }

    /// Days since 1970-01-01 of a date, by the ledger's one calendar
    /// arithmetic (``CivilCalendar``).
    static func days(year: Int, month: Int, day: Int) -> Int {
        Int(CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day)))
    }

    /// The date `days` after 1970-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let date = CivilCalendar.date(fromDays: Int64(days))
        return (Int(date.year), Int(date.month), Int(date.day))
    }
}
