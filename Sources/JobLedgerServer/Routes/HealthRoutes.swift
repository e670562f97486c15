import Foundation
import Hummingbird
import JobLedger

/// `/healthz`, `/readyz` and `/metrics`: no token needed (they reveal no
/// job data); put them behind the proxy's own rules if they must be private.
struct HealthRoutes {
    let state: ServerState

    func register(on router: Router<LedgerRequestContext>) {
        router.get("healthz") { _, _ in Reply.json(["status": "up"]) }
        router.get("readyz") { _, _ in try ready() }
        router.get("metrics") { _, _ in try metrics() }
    }

    /// Ready when not shutting down, the log can be read, the ledger's
    /// files can be written, and the projections are still the ones this
    /// build indexes by: once a newer build rebuilt them (another server
    /// upgraded first), every append here is refused, so a load balancer
    /// must send the requests elsewhere until this server is restarted.
    func ready() throws -> Response {
        if state.gate.isShuttingDown { throw Problem(.unavailable, "the server is shutting down", retryAfter: 5) }
        let position = try state.ledger.store.lastPosition()
        let versions = try state.ledger.store.projectionVersions()
        if let stored = versions.stored, stored != versions.current {
            throw Problem(
                .unavailable,
                "the ledger's projections were rebuilt by another build (projection version \(stored)); this server indexes by \(versions.current) and must be restarted on that build",
                retryAfter: 5)
        }
        // An embedded ledger's data file must be writable by this process.
        if let embedded = state.ledger.embeddedStore, access(embedded.path + "/data.mdb", W_OK) != 0 {
            throw Problem(.unavailable, "the ledger's files are not writable", retryAfter: 5)
        }
        return Reply.json(["status": "ready", "lastPosition": position])
    }

    /// The Prometheus text format.
    func metrics() throws -> Response {
        MetricsSnapshot.record(state)
        var buffer: [UInt8] = []
        state.metrics.registry.emit(into: &buffer)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}

/// `GET /v1/openapi.json`: the OpenAPI 3.1 document kept in the repository.
enum OpenAPIRoute {
    static func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("openapi.json") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
                  let data = try? Data(contentsOf: url)
            else { throw Problem(.internal, "the OpenAPI document is missing from the build") }
            return Reply.raw(data)
        }
    }
}
