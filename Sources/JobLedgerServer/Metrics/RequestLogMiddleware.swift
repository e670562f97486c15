import HTTPTypes
import Hummingbird
import Logging

/// One log line per request (method, route, status, duration, request id),
/// the request metrics, and errors turned into problem+json answers.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext

    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.kind == .internal {
                context.logger.error("request failed", metadata: ["error": "\(error)"])
            }
            response = problem.response()
        }
        let duration = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        response.headers[.requestID] = context.requestID.uuidString.lowercased()
        state.metrics.request(
            route: route, method: request.method.rawValue, status: Int(response.status.code), duration: duration)
        context.logger.info(
            "request",
            metadata: [
                "request": "\(context.requestID.uuidString.lowercased())", "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "route": "\(route)",
                "status": "\(response.status.code)",
                "ms": "\(String(format: "%.2f", Double(ServerMetrics.nanoseconds(duration)) / 1_000_000))",
            ])
        return response
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: the id of the request, also in its log line.
    static let requestID = Self("X-Request-Id")!
}
