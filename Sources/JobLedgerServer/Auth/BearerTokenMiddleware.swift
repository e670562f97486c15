import Hummingbird
import HummingbirdAuth
import JobLedger

/// Authenticates every request of the API by its bearer token, checked
/// against the ledger's `tokens` stream on each request, so a token
/// revoked (by any process) or expired is refused on the next request.
///
/// Refusals are 401 and are not written to the ledger: an unauthenticated
/// caller must not be able to make the server write.
struct BearerTokenMiddleware: AuthenticatorMiddleware {
    typealias Context = LedgerRequestContext
    typealias Identity = AccessToken

    let ledger: JobLedger

    func authenticate(request: Request, context: Context) async throws -> AccessToken? {
        guard request.headers[.authorization] != nil else {
            throw Problem(.unauthorized, "no Authorization header; send 'Authorization: Bearer <token>'")
        }
        guard let bearer = request.headers.bearer else {
            throw Problem(.unauthorized, "the Authorization header is not of the form 'Bearer <token>'")
        }
        let text = bearer.token
        switch try await ledger.reading({ (ledger) throws(JobLedgerError) in try ledger.checkToken(text) }) {
        case .valid(let token): return token
        case .malformed: throw Problem(.unauthorized, "the bearer token is malformed")
        case .unknown: throw Problem(.unauthorized, "the bearer token is not known")
        case .revoked(let token): throw Problem(.unauthorized, "the bearer token \(token.id) was revoked")
        case .expired(let token): throw Problem(.unauthorized, "the bearer token \(token.id) has expired")
        }
    }
}
