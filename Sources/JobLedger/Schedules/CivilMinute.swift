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

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 for Sunday to 6 for Saturday.
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        // 1970-01-01 was a Thursday.
        let days = days(year: year, month: month, day: day)
        return ((days + 4) % 7 + 7) % 7
    }

    /// Days since 1970-01-01 of a date (the civil calendar's day count,
    /// computed by 400-year eras of 146,097 days).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
