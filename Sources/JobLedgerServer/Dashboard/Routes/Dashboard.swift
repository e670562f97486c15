import Foundation
import Hummingbird
import JobLedger

/// What every dashboard route shares: the server, the sessions and the
/// cookies; finding the session of a request and checking its form token.
struct Dashboard: Sendable {
    let state: ServerState
    let sessions: DashboardSessions
    var cookies: Cookies { Cookies(behindHTTPS: sessions.settings.behindHTTPS) }
    var ledger: JobLedger { state.ledger }

    /// No session: the browser is sent to the sign-in page.
    struct SignInRequired: Error {}

    /// The request's session, its token checked again with the ledger: a
    /// token revoked or expired since sign-in ends the session here.
    func session(_ request: Request) throws -> DashboardSession {
        guard let id = Cookies.value(cookies.session, in: request), let session = sessions.touch(id) else {
            throw SignInRequired()
        }
        switch try ledger.checkToken(session.tokenText) {
        case .valid(let identity):
            if identity != session.identity { sessions.update(id, identity: identity) }
            var current = session
            current.identity = identity
            return current
        case .malformed, .unknown, .revoked, .expired:
            sessions.end(id)
            throw SignInRequired()
        }
    }

    /// The session of a request that changes something, after its form
    /// token is found to be the session's own: a form posted from another
    /// site (which cannot read the token) is refused, with nothing done.
    func session(_ request: Request, form: FormFields) throws -> DashboardSession {
        let session = try session(request)
        guard let sent = form["csrf"], RandomText.same(sent, session.csrf) else {
            throw Problem(.forbidden, "this form is not one this session was given (its form token is missing or wrong); reload the page and try again")
        }
        return session
    }

    /// The form fields of a POST, within the server's body limits.
    func form(_ request: Request) async throws -> FormFields {
        let type = request.headers[.contentType] ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem(.badInput, "a form must be sent as application/x-www-form-urlencoded, not '\(type)'")
        }
        return try FormFields(try await RequestBodies.bytes(request, limits: state.limits))
    }

    /// Runs a page handler: no session leads to the sign-in page, an error
    /// to an error page with the status the API would give it.
    func page(
        _ request: Request, _ context: LedgerRequestContext,
        _ body: @Sendable (DashboardSession) async throws -> Response
    ) async -> Response {
        var session: DashboardSession? = nil
        do {
            let current = try self.session(request)
            session = current
            return try await body(current)
        } catch is SignInRequired {
            var headers = HTTPFields()
            headers[.setCookie] = cookies.clear(cookies.session)
            return Layout.redirect("/login", headers: headers)
        } catch {
            return errorPage(error, session: session, context: context)
        }
    }

    /// An error as a page: what went wrong, in the words of the API.
    func errorPage(_ error: any Error, session: DashboardSession?, context: LedgerRequestContext) -> Response {
        let problem = Problem.from(error)
        if problem.kind == .internal {
            context.logger.error("dashboard request failed", metadata: ["error": "\(error)"])
        }
        let main: HTML = """
            <h1>\(problem.kind.status.reasonPhrase)</h1>
            \(Layout.message(problem.detail, error: true))
            <p><a href="/jobs">Back to the jobs</a></p>
            """
        return Layout.response(Layout.page(title: "Error", session: session, main: main), status: problem.kind.status)
    }
}
