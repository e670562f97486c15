import Foundation
import Hummingbird
import JobLedger

/// `POST /v1/erasures`: erases an owner's personal data (destroys the
/// owner's key), for administrators of the owner's organisation and the
/// system. Who asked comes from the token; the body names the owner.
struct ErasureRoutes {
    let state: ServerState

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.post("erasures") { request, context in try await erase(request, context) }
    }

    func erase(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let fields = try BodyFields(
            try await RequestBodies.bytes(request, limits: state.limits), allowed: ["owner", "org", "reason"])
        let owner = try fields.requiredString("owner")
        let organisation = try fields.requiredString("org")
        let reason = try fields.string("reason")
        switch token.role {
        case .system: break
        case .admin where token.organisation == organisation: break
        default:
            throw Problem(
                .forbidden,
                "erasing the personal data of an owner of '\(organisation)' needs an admin token of that organisation "
                    + "or a system token; \(token.id) is a \(token.role.rawValue) token of '\(token.organisation)'")
        }
        let ledger = state.ledger
        let actor = token.actingAs
        let start = ContinuousClock.now
        // Destroying a key waits for the disk: on a thread of its own.
        let result = try await OffThePool.run { try ledger.erase(owner: owner, organisation: organisation, by: actor, reason: reason) }
        state.metrics.command("erase", duration: ContinuousClock.now - start)
        return Reply.json([
            "owner": result.owner.id, "org": result.owner.organisation, "outcome": result.outcome.rawValue,
            "position": result.position,
        ] as [String: Any])
    }
}
