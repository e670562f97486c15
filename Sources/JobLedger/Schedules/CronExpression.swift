/// A five-field cron expression: minute, hour, day of the month, month and
/// day of the week, each a set of allowed values.
///
/// Each field is `*`, a value, a range `a-b`, any of them with a step
/// (`*/15`, `1-30/5`, `5/10` for `5-max/10`), or a comma-separated list of
/// those. Months take JAN..DEC and days of the week SUN..SAT (any case);
/// 0 and 7 are both Sunday. The macros `@hourly`, `@daily` (`@midnight`),
/// `@weekly`, `@monthly` and `@yearly` (`@annually`) stand for their five
/// fields. When both day fields are restricted (neither begins with `*`), a
/// day matches if either matches, as classic cron has it; otherwise both
/// must.
///
/// The expression knows nothing of time zones: it matches local wall-clock
/// minutes (``CronTimeline`` places them in a zone).
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as given, its fields separated by single spaces.
    public let text: String
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    /// Bits 0 (Sunday) to 6 (Saturday).
    let daysOfWeek: UInt64
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// The macros and the fields each stands for.
    public static let macros: [String: String] = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]

    /// Parses `text`; a malformed expression is a ``CronExpressionError``
    /// naming the field and what is wrong with it.
    public init(parsing text: String) throws(CronExpressionError) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { throw CronExpressionError(field: "expression", reason: "is empty") }
        var fields = words
        if words[0].hasPrefix("@") {
            guard words.count == 1 else {
                throw CronExpressionError(field: "expression", reason: "a macro such as \(words[0]) stands alone, with no fields after it")
            }
            guard let expanded = Self.macros[words[0].lowercased()] else {
                throw CronExpressionError(
                    field: "expression",
                    reason: "'\(words[0])' is not a known macro (@hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)")
            }
            fields = expanded.split(separator: " ").map(String.init)
        }
        guard fields.count == 5 else {
            throw CronExpressionError(
                field: "expression",
                reason: "has \(fields.count) field\(fields.count == 1 ? "" : "s"); a cron expression has five: minute hour day-of-month month day-of-week")
        }
        self.text = words.joined(separator: " ")
        minutes = try CronField.minute.parse(fields[0])
        hours = try CronField.hour.parse(fields[1])
        daysOfMonth = try CronField.dayOfMonth.parse(fields[2])
        months = try CronField.month.parse(fields[3])
        var week = try CronField.dayOfWeek.parse(fields[4])
        if week & (1 << 7) != 0 { week = (week | 1) & ~(1 << 7) }
        daysOfWeek = week
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    /// The expression's text.
    public var description: String { text }

    /// Whether the day `day` of `month` in `year` is one the expression runs on.
    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        let byDate = daysOfMonth & (1 << UInt64(day)) != 0
        let byWeekday = daysOfWeek & (1 << UInt64(CivilMinute.weekday(year: year, month: month, day: day))) != 0
        if dayOfMonthRestricted && dayOfWeekRestricted { return byDate || byWeekday }
        return byDate && byWeekday
    }

    /// The years a search looks through before it concludes that nothing
    /// matches: the Gregorian calendar repeats itself every 400 years.
    static let searchYears = 400

    /// The first wall-clock minute at or after `from` that matches, or `nil`
    /// when none does within ``searchYears``. Advances by field (the next
    /// allowed month, then day, hour, minute), never minute by minute.
    func nextMinute(atOrAfter from: CivilMinute) -> CivilMinute? {
        var (year, month, day, hour, minute) = (from.year, from.month, from.day, from.hour, from.minute)
        let lastYear = from.year + Self.searchYears
        while year <= lastYear {
            guard let allowedMonth = Self.bit(in: months, from: month, through: 12) else {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0)
                continue
            }
            if allowedMonth != month { (month, day, hour, minute) = (allowedMonth, 1, 0, 0) }
            let length = CivilMinute.daysIn(year: year, month: month)
            while day <= length, !matchesDay(year: year, month: month, day: day) { (day, hour, minute) = (day + 1, 0, 0) }
            guard day <= length else {
                (month, day, hour, minute) = (month + 1, 1, 0, 0)
                continue
            }
            guard let allowedHour = Self.bit(in: hours, from: hour, through: 23) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if allowedHour != hour { (hour, minute) = (allowedHour, 0) }
            guard let allowedMinute = Self.bit(in: minutes, from: minute, through: 59) else {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            return CivilMinute(year: year, month: month, day: day, hour: hour, minute: allowedMinute)
        }
        return nil
    }

    /// The last wall-clock minute at or before `from` that matches, or
    /// `nil` when none does within ``searchYears``; the mirror of
    /// ``nextMinute(atOrAfter:)``.
    func previousMinute(atOrBefore from: CivilMinute) -> CivilMinute? {
        var (year, month, day, hour, minute) = (from.year, from.month, from.day, from.hour, from.minute)
        let firstYear = from.year - Self.searchYears
        while year >= firstYear {
            guard let allowedMonth = Self.bitDown(in: months, from: month, through: 1) else {
                (year, month, day, hour, minute) = (year - 1, 12, 31, 23, 59)
                continue
            }
            if allowedMonth != month { (month, day, hour, minute) = (allowedMonth, 31, 23, 59) }
            let length = CivilMinute.daysIn(year: year, month: month)
            if day > length { (day, hour, minute) = (length, 23, 59) }
            while day >= 1, !matchesDay(year: year, month: month, day: day) { (day, hour, minute) = (day - 1, 23, 59) }
            guard day >= 1 else {
                (month, day, hour, minute) = (month - 1, 31, 23, 59)
                continue
            }
            guard let allowedHour = Self.bitDown(in: hours, from: hour, through: 0) else {
                (day, hour, minute) = (day - 1, 23, 59)
                continue
            }
            if allowedHour != hour { (hour, minute) = (allowedHour, 59) }
            guard let allowedMinute = Self.bitDown(in: minutes, from: minute, through: 0) else {
                (hour, minute) = (hour - 1, 59)
                continue
            }
            return CivilMinute(year: year, month: month, day: day, hour: hour, minute: allowedMinute)
        }
        return nil
    }

    /// The lowest set bit of `mask` from `low` to `high`.
    private static func bit(in mask: UInt64, from low: Int, through high: Int) -> Int? {
        guard low <= high, low >= 0 else { return nil }
        var value = low
        while value <= high {
            if mask & (1 << UInt64(value)) != 0 { return value }
            value += 1
        }
        return nil
    }

    /// The highest set bit of `mask` from `high` down to `low`.
    private static func bitDown(in mask: UInt64, from high: Int, through low: Int) -> Int? {
        guard high >= low, high <= 63 else { return nil }
        var value = high
        while value >= low {
            if mask & (1 << UInt64(value)) != 0 { return value }
            value -= 1
        }
        return nil
    }
}

/// What is wrong with a cron expression: the field (`minute`, `hour`,
/// `day-of-month`, `month`, `day-of-week`, or `expression` for its shape)
/// and why.
public struct CronExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault.
    public var field: String
    /// What is wrong with it.
    public var reason: String

    /// Describes the fault, naming the field.
    public var description: String {
        field == "expression" ? "the expression \(reason)" : "the \(field) field: \(reason)"
    }
}
