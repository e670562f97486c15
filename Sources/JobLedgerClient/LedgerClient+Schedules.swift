import Foundation

/// A recurring schedule, as the server answers it.
public struct LedgerSchedule: Sendable, Hashable, Codable {
    /// The schedule's name: its jobs' ids start with it.
    public var name: String
    /// The type of the jobs it submits.
    public var type: String
    /// The jobs' input.
    public var payload: JSONValue?
    /// Seconds between occurrences, on a periodic schedule.
    public var every: Int?
    /// The five-field cron expression, on a cron schedule.
    public var cron: String?
    /// The IANA time zone the expression is read in, on a cron schedule.
    public var timeZone: String?
    /// The first occurrence (for a cron schedule, the earliest).
    public var start: Date
    /// The jobs' priority.
    public var priority: Int
    /// The jobs' attempts.
    public var maxAttempts: Int
    /// Who owns the jobs: the actor that set the schedule.
    public var owner: String
    /// The owner's organisation.
    public var org: String
    /// True while no occurrence fires.
    public var paused: Bool
    /// What happens to occurrences that passed with nothing firing:
    /// `latest`, `skip` or `each`.
    public var missed: String
    /// The next occurrence; `nil` when there is none the ledger can store.
    public var next: Date?
}

/// When a schedule fires: every so many seconds, or by a cron expression
/// read in a time zone.
public enum LedgerScheduleTiming: Sendable, Hashable {
    /// Every `seconds` seconds from the start.
    case every(seconds: Int)
    /// By a five-field cron expression (or a macro such as `@daily`), in
    /// the IANA time zone `timeZone` (UTC when `nil`).
    case cron(String, timeZone: String? = nil)
}

/// Recurring schedules: listed by user, admin and system tokens, set,
/// paused, resumed and removed by admin and system tokens (others get a
/// `forbidden` problem).
extension LedgerClient {
    /// Every schedule of the ledger.
    public func schedules() async throws -> [LedgerSchedule] {
        let call = Call(method: .GET, path: "/v1/schedules")
        return try decode(ScheduleList.self, try await perform(call), call).schedules
    }

    /// Creates or replaces the schedule `name`, whose jobs of `type` the
    /// token's actor will own.
    @discardableResult
    public func setSchedule(
        _ name: String, type: String, timing: LedgerScheduleTiming, start: Date? = nil, payload: JSONValue? = nil,
        priority: Int? = nil, maxAttempts: Int? = nil, missed: String? = nil
    ) async throws -> LedgerSchedule {
        var body = ScheduleBody(type: type, start: start, payload: payload, priority: priority, maxAttempts: maxAttempts, missed: missed)
        switch timing {
        case .every(let seconds): body.every = seconds
        case .cron(let expression, let zone): (body.cron, body.timeZone) = (expression, zone)
        }
        let call = Call(method: .PUT, path: "/v1/schedules/\(Self.segment(name))", body: try encode(body))
        return try decode(LedgerSchedule.self, try await perform(call), call)
    }

    /// Pauses the schedule `name`: no occurrence fires until it is resumed.
    @discardableResult
    public func pauseSchedule(_ name: String) async throws -> LedgerSchedule {
        let call = Call(method: .POST, path: "/v1/schedules/\(Self.segment(name))/pause")
        return try decode(LedgerSchedule.self, try await perform(call), call)
    }

    /// Resumes the schedule `name`.
    @discardableResult
    public func resumeSchedule(_ name: String) async throws -> LedgerSchedule {
        let call = Call(method: .POST, path: "/v1/schedules/\(Self.segment(name))/resume")
        return try decode(LedgerSchedule.self, try await perform(call), call)
    }

    /// Removes the schedule `name` (its jobs stay); a `not_found` problem
    /// when there is none.
    public func removeSchedule(_ name: String, reason: String? = nil) async throws {
        var call = Call(method: .DELETE, path: "/v1/schedules/\(Self.segment(name))")
        if let reason { call.query = [("reason", reason)] }
        _ = try await perform(call)
    }

    private struct ScheduleList: Decodable {
        var schedules: [LedgerSchedule]
    }

    private struct ScheduleBody: Encodable {
        var type: String
        var every: Int?
        var cron: String?
        var timeZone: String?
        var start: Date?
        var payload: JSONValue?
        var priority: Int?
        var maxAttempts: Int?
        var missed: String?
    }
}
