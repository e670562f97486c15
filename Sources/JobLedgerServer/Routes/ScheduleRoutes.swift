import Foundation
import Hummingbird
import JobLedger

/// Recurring schedules over HTTP, as `jobledger schedule` manages them:
/// any token but a worker's lists them; admins and the system set and
/// remove them, and own the jobs they submit.
struct ScheduleRoutes {
    let state: ServerState
    var ledger: JobLedger { state.ledger }

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("schedules") { _, context in try await list(context) }
        group.put("schedules/{name}") { request, context in try await set(request, context) }
        group.delete("schedules/{name}") { request, context in try await remove(request, context) }
        group.post("schedules/{name}/pause") { _, context in try await pause(context, paused: true) }
        group.post("schedules/{name}/resume") { _, context in try await pause(context, paused: false) }
    }

    func list(_ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        guard token.role != .worker else {
            throw Problem(.forbidden, "a worker token does not read schedules")
        }
        let schedules = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.schedules() }
        let now = ledger.options.clock()
        return Reply.json(["schedules": schedules.map { Self.json($0, now: now) }])
    }

    /// The body: `type`, and either `every` (seconds) or `cron` (a
    /// five-field expression) with an optional `timeZone` (an IANA name,
    /// default UTC); optionally `start` (ISO-8601, default the next whole
    /// second), `payload`, `priority`, `maxAttempts`, `missed`.
    func set(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let name = try context.pathParameter("name")
        let fields = try BodyFields(
            try await RequestBodies.bytes(request, limits: state.limits),
            allowed: ["type", "every", "cron", "timeZone", "start", "payload", "priority", "maxAttempts", "missed"])
        let every = try fields.integer("every")
        let cron = try fields.string("cron")
        let timeZone = try fields.string("timeZone")
        guard (every == nil) != (cron == nil) else {
            throw Problem(.badInput, "give exactly one of 'every' (the period in whole seconds) and 'cron' (an expression)")
        }
        if timeZone != nil && cron == nil {
            throw Problem(.badInput, "'timeZone' applies only with 'cron'")
        }
        let start = try fields.string("start").map { try Timestamps.require($0, "start") } ?? RecurringSchedule.start(now: Date())
        var schedule = RecurringSchedule(
            name: name, type: try fields.requiredString("type"), payload: fields.json("payload") ?? "{}",
            everySeconds: every ?? 0, start: start,
            priority: try fields.integer("priority") ?? 0, maxAttempts: try fields.integer("maxAttempts") ?? 3,
            missed: try Self.missed(try fields.string("missed")))
        schedule.cron = cron
        schedule.timeZone = timeZone
        let stored = try await ledger.setSchedule(schedule, by: token.actingAs)
        return Reply.json(Self.json(stored, now: ledger.options.clock()))
    }

    func pause(_ context: LedgerRequestContext, paused: Bool) async throws -> Response {
        let token = try context.caller()
        let name = try context.pathParameter("name")
        let changed =
            paused
            ? try await ledger.pauseSchedule(name, by: token.actingAs) : try await ledger.resumeSchedule(name, by: token.actingAs)
        guard let changed else { throw Problem(.notFound, "no schedule '\(name)'") }
        return Reply.json(Self.json(changed, now: ledger.options.clock()))
    }

    static func missed(_ text: String?) throws -> RecurringSchedule.MissedOccurrences {
        guard let text else { return .latest }
        guard let missed = RecurringSchedule.MissedOccurrences(rawValue: text) else {
            throw Problem(.badInput, "'missed' must be latest, skip or each; got '\(text)'")
        }
        return missed
    }

    func remove(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let name = try context.pathParameter("name")
        let reason = request.uri.queryParameters.get("reason")
        guard try await ledger.removeSchedule(name, by: token.actingAs, reason: reason) else {
            throw Problem(.notFound, "no schedule '\(name)'")
        }
        return Reply.noContent()
    }

    /// A schedule as the API shows it: `every` for a periodic one, `cron`
    /// and `timeZone` for the other, and `next`, its next occurrence.
    static func json(_ schedule: RecurringSchedule, now: Date) -> [String: Any] {
        var json: [String: Any] = [
            "name": schedule.name, "type": schedule.type, "payload": JobJSON.jsonValue(schedule.payload),
            "start": JobJSON.time(schedule.start), "priority": schedule.priority, "maxAttempts": schedule.maxAttempts,
            "owner": schedule.owner, "org": schedule.organisation, "paused": schedule.paused, "missed": schedule.missed.rawValue,
            "next": JobJSON.time(schedule.nextOccurrence(after: now)),
        ]
        if let cron = schedule.cron {
            json["cron"] = cron
            json["timeZone"] = schedule.timeZone ?? "UTC"
        } else {
            json["every"] = schedule.everySeconds
        }
        return json
    }
}
