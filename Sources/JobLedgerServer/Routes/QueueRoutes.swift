import Foundation
import Hummingbird
import JobLedger

/// The settings of a job type over HTTP, as `jobledger queue` sets them:
/// a limit on jobs running at once, a rate limit on claims, a pause, a
/// retention policy.
/// Anyone with a token may read them; only admins and the system change
/// them (the ledger decides, as for the command line).
struct QueueRoutes {
    let state: ServerState
    var ledger: JobLedger { state.ledger }

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("queues/{type}") { _, context in try await show(context) }
        group.post("queues/{type}/limit") { request, context in try await limit(request, context) }
        group.post("queues/{type}/rate") { request, context in try await rate(request, context) }
        group.post("queues/{type}/retention") { request, context in try await retention(request, context) }
        group.post("queues/{type}/pause") { request, context in try await pause(request, context, paused: true) }
        group.post("queues/{type}/resume") { request, context in try await pause(request, context, paused: false) }
    }

    func show(_ context: LedgerRequestContext) async throws -> Response {
        _ = try context.caller()
        let type = try context.pathParameter("type")
        let settings = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.queueSettings(type) }
        return Self.reply(type, settings)
    }

    /// `{"concurrency": N}` sets the limit, `{"concurrency": null}` lifts it.
    func limit(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let type = try context.pathParameter("type")
        let fields = try BodyFields(try await RequestBodies.bytes(request, limits: state.limits), allowed: ["concurrency", "reason"])
        guard fields.contains("concurrency") else {
            throw Problem(.badInput, "'concurrency' is required: a whole number, or null to lift the limit")
        }
        let settings = try await ledger.setConcurrencyLimit(
            try fields.integer("concurrency"), forType: type, by: token.actingAs, reason: try fields.string("reason"))
        return Self.reply(type, settings)
    }

    /// `{"rate": N, "per": SECONDS}` sets the rate limit (per one second by
    /// default), `{"rate": null}` lifts it.
    func rate(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let type = try context.pathParameter("type")
        let fields = try BodyFields(
            try await RequestBodies.bytes(request, limits: state.limits), allowed: ["rate", "per", "reason"])
        guard fields.contains("rate") else {
            throw Problem(.badInput, "'rate' is required: a whole number of claims, or null to lift the limit")
        }
        let rate = try fields.integer("rate")
        if rate == nil && fields.contains("per") { throw Problem(.badInput, "'per' goes with a rate, not with null") }
        let settings = try await ledger.setRateLimit(
            rate, per: try fields.number("per") ?? 1, forType: type, by: token.actingAs, reason: try fields.string("reason"))
        return Self.reply(type, settings)
    }

    /// `{"after": SECONDS}` sets the retention policy, `{"after": null}`
    /// keeps the type's events for ever.
    func retention(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let type = try context.pathParameter("type")
        let fields = try BodyFields(try await RequestBodies.bytes(request, limits: state.limits), allowed: ["after", "reason"])
        guard fields.contains("after") else {
            throw Problem(.badInput, "'after' is required: whole seconds, or null to keep the type's events for ever")
        }
        let settings = try await ledger.setRetention(
            try fields.integer("after"), forType: type, by: token.actingAs, reason: try fields.string("reason"))
        return Self.reply(type, settings)
    }

    /// A pause needs a reason, for the record; a resume may give one.
    func pause(_ request: Request, _ context: LedgerRequestContext, paused: Bool) async throws -> Response {
        let token = try context.caller()
        let type = try context.pathParameter("type")
        let fields = try BodyFields(try await RequestBodies.bytes(request, limits: state.limits), allowed: ["reason"])
        let settings =
            paused
            ? try await ledger.pauseQueue(type, by: token.actingAs, reason: try fields.requiredString("reason"))
            : try await ledger.resumeQueue(type, by: token.actingAs, reason: try fields.string("reason"))
        return Self.reply(type, settings)
    }

    /// The settings as `jobledger queue show --json` prints them.
    static func reply(_ type: String, _ settings: QueueSettings) -> Response {
        Reply.json([
            "type": type, "concurrency": settings.concurrency.map { $0 as Any } ?? NSNull(),
            "paused": settings.paused, "rate": settings.rate.map { $0 as Any } ?? NSNull(),
            "ratePeriod": settings.ratePeriod.map { $0 as Any } ?? NSNull(),
            "retentionSeconds": settings.retentionSeconds.map { $0 as Any } ?? NSNull(),
        ])
    }
}
