/// One of the five fields of a cron expression: its range, its names, and
/// the parsing of its text into a set of values (a bit mask).
enum CronField: String, CaseIterable {
    case minute
    case hour
    case dayOfMonth = "day-of-month"
    case month
    case dayOfWeek = "day-of-week"

    /// The lowest and highest value (for day-of-week, 7 is Sunday again).
    var bounds: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The names the field takes, lower-cased, by value.
    private var names: [String: Int] {
        switch self {
        case .month:
            ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
        case .dayOfWeek:
            ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
        default:
            [:]
        }
    }

    private func error(_ reason: String) -> CronExpressionError {
        CronExpressionError(field: rawValue, reason: reason)
    }

    /// The values `text` allows, as bits.
    func parse(_ text: String) throws(CronExpressionError) -> UInt64 {
        var mask: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw error("'\(text)' has an empty item in its list") }
            mask |= try parseItem(String(item))
        }
        return mask
    }

    /// One item of a list: `*`, `a`, `a-b`, each with an optional `/step`.
    private func parseItem(_ item: String) throws(CronExpressionError) -> UInt64 {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw error("'\(item)' has more than one step") }
        var step = 1
        if parts.count == 2 {
            let text = String(parts[1])
            guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = Int(text) else {
                throw error("the step in '\(item)' is not a whole number")
            }
            let widest = bounds.upperBound - bounds.lowerBound - (self == .dayOfWeek ? 1 : 0)
            guard (1...widest).contains(value) else {
                throw error("the step in '\(item)' is \(value); it must be 1 to \(widest)")
            }
            step = value
        }
        let base = String(parts[0])
        let low: Int
        let high: Int
        if base == "*" {
            low = bounds.lowerBound
            high = self == .dayOfWeek ? 6 : bounds.upperBound
        } else {
            let ends = base.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw error("'\(item)' is not a value, a range a-b or *") }
            low = try value(String(ends[0]), in: item)
            if ends.count == 2 {
                high = try value(String(ends[1]), in: item)
                guard low <= high else {
                    throw error("the range '\(base)' runs backwards; write the lower end first")
                }
            } else {
                // `a/step` runs from a to the field's end, as in classic cron.
                high = parts.count == 2 ? (self == .dayOfWeek ? 6 : bounds.upperBound) : low
            }
        }
        var mask: UInt64 = 0
        var value = low
        while value <= high {
            mask |= 1 << UInt64(value)
            value += step
        }
        return mask
    }

    /// A number or a name within the field's bounds.
    private func value(_ text: String, in item: String) throws(CronExpressionError) -> Int {
        if text.isEmpty { throw error("'\(item)' is missing a value") }
        if let named = names[text.lowercased()] { return named }
        guard text.allSatisfy(\.isASCIIDigit) else {
            let known = names.isEmpty ? "" : " or a name such as \(self == .month ? "JAN" : "MON")"
            throw error("'\(text)' is not a number\(known)")
        }
        guard let number = Int(text), bounds.contains(number) else {
            throw error("\(text) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
        }
        return number
    }
}

extension Character {
    /// `0` to `9` only: cron fields take no other digits.
    fileprivate var isASCIIDigit: Bool { asciiValue.map { (48...57).contains($0) } ?? false }
}
