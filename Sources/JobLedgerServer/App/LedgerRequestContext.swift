import Foundation
import Hummingbird
import HummingbirdAuth
import JobLedger

/// The context of one request: Hummingbird's own, plus the token that
/// authenticated it (set by ``BearerTokenMiddleware``).
public struct LedgerRequestContext: AuthRequestContext, RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The token the request carried, once checked.
    public var identity: AccessToken?
    /// The request's id: in its log line, its `X-Request-Id` header and
    /// the audit entries of the commands it runs.
    public var requestID = UUID()

    /// Creates the context of a new request.
    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// The authenticated token; routes behind the middleware always have one.
    func caller() throws -> AccessToken {
        guard let identity else { throw Problem(.unauthorized, "a bearer token is required") }
        return identity
    }
}
