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
        return Reply.json(["schedules": schedules.map(Self.json)])
    }

    /// The body: `type`, `every` (seconds), and optionally `start`
    /// (ISO-8601, default now), `payload`, `priority`, `maxAttempts`.
    func set(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let name = try context.pathParameter("name")
        let fields = try BodyFields(
            try await RequestBodies.bytes(request, limits: state.limits),
            allowed: ["type", "every", "start", "payload", "priority", "maxAttempts", "missed"])
        guard let every = try fields.integer("every") else {
            throw Problem(.badInput, "'every' is required: the period in whole seconds")
        }
        let schedule = RecurringSchedule(
            name: name, type: try fields.requiredString("type"), payload: fields.json("payload") ?? "{}",
            everySeconds: every, start: try fields.string("start").map { try Timestamps.require($0, "start") } ?? Date(),
            priority: try fields.integer("priority") ?? 0, maxAttempts: try fields.integer("maxAttempts") ?? 3,
            missed: try Self.missed(try fields.string("missed")))
        let stored = try await ledger.setSchedule(schedule, by: token.actingAs)
        return Reply.json(Self.json(stored))
    }

    func pause(_ context: LedgerRequestContext, paused: Bool) async throws -> Response {
        let token = try context.caller()
        let name = try context.pathParameter("name")
        let changed =
            paused
            ? try await ledger.pauseSchedule(name, by: token.actingAs) : try await ledger.resumeSchedule(name, by: token.actingAs)
        guard let changed else { throw Problem(.notFound, "no schedule '\(name)'") }
        return Reply.json(Self.json(changed))
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

    static func json(_ schedule: RecurringSchedule) -> [String: Any] {
        [
            "name": schedule.name, "type": schedule.type, "payload": JobJSON.jsonValue(schedule.payload), "every": schedule.everySeconds,
            "start": JobJSON.time(schedule.start), "priority": schedule.priority, "maxAttempts": schedule.maxAttempts,
            "owner": schedule.owner, "org": schedule.organisation, "paused": schedule.paused, "missed": schedule.missed.rawValue,
        ]
    }
}
