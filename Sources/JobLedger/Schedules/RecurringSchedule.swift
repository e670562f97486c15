import EventStore
import Foundation

/// A job submitted again and again: one job of ``type`` at ``start`` and
/// every ``everySeconds`` after it, owned by whoever set the schedule.
///
/// Each occurrence's job has an id made of the schedule's name and the
/// occurrence's time (``jobID(for:)``), and submitting is idempotent on the
/// id: however many schedulers fire at once, in however many processes or
/// servers, each occurrence is one job.
public struct RecurringSchedule: Sendable, Hashable, Codable {
    /// The schedule's name: the rule of job ids, at most
    /// ``RecurringSchedule/maxNameBytes`` bytes.
    public var name: String
    /// The type of the jobs it submits.
    public var type: String
    /// Their input, as JSON text.
    public var payload: String
    /// Seconds between occurrences, 1 to ``RecurringSchedule/maxEverySeconds``.
    public var everySeconds: Int
    /// The first occurrence; the others follow at whole multiples of
    /// ``everySeconds``.
    public var start: Date
    /// The jobs' priority.
    public var priority: Int
    /// The jobs' attempts.
    public var maxAttempts: Int
    /// Who set the schedule: the jobs' owner.
    public var owner: String
    /// The owner's role (admin or system).
    public var role: Actor.Role
    /// The owner's organisation.
    public var organisation: String

    /// The longest schedule name: an occurrence's id adds 17 bytes to it.
    public static let maxNameBytes = 100
    /// The longest period: a leap year.
    public static let maxEverySeconds = 366 * 86_400

    /// Creates a schedule; ``JobLedger/setSchedule(_:by:)`` checks it.
    public init(
        name: String, type: String, payload: String = "{}", everySeconds: Int, start: Date, priority: Int = 0,
        maxAttempts: Int = 3, owner: String = "", role: Actor.Role = .admin, organisation: String = ""
    ) {
        self.name = name
        self.type = type
        self.payload = payload
        self.everySeconds = everySeconds
        self.start = start
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.owner = owner
        self.role = role
        self.organisation = organisation
    }

    /// The last occurrence at or before `now`, or `nil` before ``start``.
    /// Occurrences missed while no scheduler ran are not made up: only
    /// the last one is submitted.
    public func lastOccurrence(atOrBefore now: Date) -> Date? {
        guard let startMillis = LedgerInstant.millis(start), let nowMillis = LedgerInstant.millis(now),
              nowMillis >= startMillis, everySeconds > 0
        else { return nil }
        let period = Int64(everySeconds) * 1000
        let index = (nowMillis - startMillis) / period
        return Date(timeIntervalSince1970: Double(startMillis + index * period) / 1000)
    }

    /// The id of the job of the occurrence at `time`:
    /// `<name>.<yyyyMMdd>T<HHmmss>Z` (or with milliseconds when the
    /// occurrence has them).
    public func jobID(for time: Date) -> String {
        var text = UTCTimestamp.text(time)
        text.removeAll { $0 == "-" || $0 == ":" }
        if text.hasSuffix(".000Z") { text = String(text.dropLast(5)) + "Z" }
        return name + "." + text
    }
}
