import EventStore
import Foundation

/// A job submitted again and again, owned by whoever set the schedule:
/// one job of ``type`` at ``start`` and every ``everySeconds`` after it, or,
/// for a schedule with a ``cron`` expression, at each minute the expression
/// matches in ``timeZone`` from ``start`` on.
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
    /// Seconds between occurrences, 1 to ``RecurringSchedule/maxEverySeconds``;
    /// 0 for a schedule with a ``cron`` expression.
    public var everySeconds: Int
    /// The five-field cron expression (``CronExpression``) that says when
    /// the schedule fires, instead of a period; `nil` for a periodic one.
    public var cron: String?
    /// The IANA name of the zone whose wall clock ``cron`` is read in
    /// (`nil`: UTC); only with ``cron``.
    public var timeZone: String?
    /// For a periodic schedule, the first occurrence, the others following
    /// at whole multiples of ``everySeconds``; for a cron schedule, the
    /// earliest time it may fire.
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
    /// While true, nothing is submitted; occurrences that pass meanwhile
    /// count as missed.
    public var paused: Bool
    /// What to do with occurrences that passed with nothing firing.
    public var missed: MissedOccurrences

    /// What a schedule does with occurrences that passed while no
    /// scheduler ran (every server stopped) or while it was paused.
    public enum MissedOccurrences: String, Sendable, Hashable, Codable, CaseIterable {
        /// Submit the last occurrence due, however late; the ones before
        /// it are not made up. The default.
        case latest
        /// Submit an occurrence only within a grace period of its time
        /// (a tenth of the period, at most a minute, at least a second);
        /// a later firing waits for the next occurrence.
        case skip
        /// Submit every occurrence since the last one submitted, oldest
        /// first, up to ``RecurringSchedule/maxCatchUp`` at a firing.
        case each
    }

    /// The longest schedule name: an occurrence's id adds 17 bytes to it.
    public static let maxNameBytes = 100
    /// The longest period: a leap year.
    public static let maxEverySeconds = 366 * 86_400
    /// The most missed occurrences ``MissedOccurrences/each`` submits at
    /// one firing; the next firing goes on.
    public static let maxCatchUp = 100

    /// Creates a schedule fired by a cron expression in a time zone (an
    /// IANA name, `nil` for UTC); ``JobLedger/setSchedule(_:by:)`` checks it.
    public init(
        name: String, type: String, payload: String = "{}", cron: String, timeZone: String? = nil, start: Date,
        priority: Int = 0, maxAttempts: Int = 3, paused: Bool = false, missed: MissedOccurrences = .latest
    ) {
        self.init(
            name: name, type: type, payload: payload, everySeconds: 0, start: start, priority: priority,
            maxAttempts: maxAttempts, paused: paused, missed: missed)
        self.cron = cron
        self.timeZone = timeZone
    }

    /// The start of a schedule set now without a start: the next whole
    /// second, so that the ids of a periodic schedule's jobs carry no
    /// milliseconds.
    public static func start(now: Date) -> Date {
        Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.up))
    }

    /// Creates a schedule; ``JobLedger/setSchedule(_:by:)`` checks it.
    public init(
        name: String, type: String, payload: String = "{}", everySeconds: Int, start: Date, priority: Int = 0,
        maxAttempts: Int = 3, owner: String = "", role: Actor.Role = .admin, organisation: String = "",
        paused: Bool = false, missed: MissedOccurrences = .latest
    ) {
        self.paused = paused
        self.missed = missed
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

    /// The occurrences to submit at `now` whose jobs `exists` does not
    /// find, oldest first, as ``missed`` says; none while paused.
    public func occurrencesToSubmit(at now: Date, exists: (String) throws -> Bool) rethrows -> [Date] {
        let timeline = cronTimeline
        guard !paused, let last = lastOccurrence(atOrBefore: now, timeline) else { return [] }
        switch missed {
        case .latest:
            return try exists(jobID(for: last)) ? [] : [last]
        case .skip:
            let period = nextOccurrence(after: last, timeline).map { $0.timeIntervalSince(last) } ?? 600
            let grace = min(60, max(1, period / 10))
            guard now.timeIntervalSince(last) <= grace else { return [] }
            return try exists(jobID(for: last)) ? [] : [last]
        case .each:
            var due: [Date] = []
            var occurrence: Date? = last
            while due.count < Self.maxCatchUp, let current = occurrence, current >= start, try !exists(jobID(for: current)) {
                due.append(current)
                occurrence = lastOccurrence(atOrBefore: current - 1, timeline)
            }
            return due.reversed()
        }
    }

    /// The last occurrence at or before `now`, or `nil` before ``start``.
    /// Occurrences missed while no scheduler ran are not made up: only
    /// the last one is submitted.
    public func lastOccurrence(atOrBefore now: Date) -> Date? {
        lastOccurrence(atOrBefore: now, cronTimeline)
    }

    /// The first occurrence after `now` (the first at or after ``start``
    /// before it), or `nil` when there is none the ledger can store.
    public func nextOccurrence(after now: Date) -> Date? {
        nextOccurrence(after: now, cronTimeline)
    }

    /// The expression in its zone, for a cron schedule whose expression
    /// and zone are valid (``JobLedger/setSchedule(_:by:)`` sees to that).
    public var cronTimeline: CronTimeline? {
        guard let cron, let expression = try? CronExpression(parsing: cron),
              let zone = TimeZone(identifier: timeZone ?? "UTC")
        else { return nil }
        return CronTimeline(expression, zone: zone)
    }

    private func lastOccurrence(atOrBefore now: Date, _ timeline: CronTimeline?) -> Date? {
        if cron != nil {
            guard let timeline, now >= start, let last = timeline.last(atOrBefore: now), last >= start else { return nil }
            return last
        }
        guard let startMillis = LedgerInstant.millis(start), let nowMillis = LedgerInstant.millis(now),
              nowMillis >= startMillis, everySeconds > 0
        else { return nil }
        let period = Int64(everySeconds) * 1000
        let index = (nowMillis - startMillis) / period
        return Date(timeIntervalSince1970: Double(startMillis + index * period) / 1000)
    }

    private func nextOccurrence(after now: Date, _ timeline: CronTimeline?) -> Date? {
        let next: Date?
        if cron != nil {
            let candidate = timeline?.next(after: max(now, start - 1))
            next = candidate.flatMap { $0 < start ? timeline?.next(after: $0) : $0 }
        } else if now < start {
            next = start
        } else {
            next = lastOccurrence(atOrBefore: now, nil).map { $0 + Double(everySeconds) }
        }
        return next.flatMap { LedgerInstant.isAccepted($0) ? $0 : nil }
    }

    private enum CodingKeys: String, CodingKey {
        case name, type, payload, everySeconds, cron, timeZone, start, priority, maxAttempts, owner, role, organisation, paused, missed
    }

    /// Reads a stored schedule; one written before pauses and the missed
    /// policy existed reads as running, with ``MissedOccurrences/latest``,
    /// and one written before cron expressions as periodic.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type)
        payload = try container.decode(String.self, forKey: .payload)
        everySeconds = try container.decode(Int.self, forKey: .everySeconds)
        cron = try container.decodeIfPresent(String.self, forKey: .cron)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
        start = try container.decode(Date.self, forKey: .start)
        priority = try container.decode(Int.self, forKey: .priority)
        maxAttempts = try container.decode(Int.self, forKey: .maxAttempts)
        owner = try container.decode(String.self, forKey: .owner)
        role = try container.decode(Actor.Role.self, forKey: .role)
        organisation = try container.decode(String.self, forKey: .organisation)
        paused = try container.decodeIfPresent(Bool.self, forKey: .paused) ?? false
        missed = try container.decodeIfPresent(MissedOccurrences.self, forKey: .missed) ?? .latest
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
