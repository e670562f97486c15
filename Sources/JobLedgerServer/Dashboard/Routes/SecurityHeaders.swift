import HTTPTypes
import Hummingbird

/// The headers every dashboard answer carries, errors included: a content
/// security policy that allows only the server's own script and style
/// files (no inline script, no inline style, no other origin), no framing,
/// no type sniffing, no referrer beyond the origin, and no caching of
/// pages that show data.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = LedgerRequestContext

    static let policy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers, cacheable: request.uri.path.hasPrefix("/assets/"))
        return response
    }

    /// Sets the headers; `cacheable` only for the static files.
    static func apply(to headers: inout HTTPFields, cacheable: Bool) {
        headers[.contentSecurityPolicy] = policy
        headers[.xFrameOptions] = "DENY"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        if !cacheable {
            headers[.cacheControl] = "no-store"
        } else if headers[.cacheControl] == nil {
            headers[.cacheControl] = "max-age=300"
        }
    }
}

extension HTTPField.Name {
    /// `X-Frame-Options`.
    static let xFrameOptions = Self("X-Frame-Options")!
    /// `X-Content-Type-Options`.
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    /// `Referrer-Policy`.
    static let referrerPolicy = Self("Referrer-Policy")!
}
