import Foundation
import Hummingbird
import JobLedger

/// Signing in with a token, and signing out.
///
/// The sign-in form carries a random value that is also set as a cookie
/// on the browser that loaded the form; a sign-in whose two values differ
/// (a form posted from another site, which can neither read nor set the
/// cookie) is refused, so no page can sign a browser in as someone else.
struct SignInRoutes: Sendable {
    let dashboard: Dashboard

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("login") { _, _ in signInPage(error: nil) }
        group.post("login") { request, context in await signIn(request, context) }
        group.post("logout") { request, context in await signOut(request, context) }
    }

    func signInPage(error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let nonce = RandomText.make()
        let cookies = dashboard.cookies
        let main: HTML = """
            <h1>Sign in</h1>
            \(error.map { Layout.message($0, error: true) } ?? .empty)
            <form method="post" action="/login" class="signin">
            <input type="hidden" name="nonce" value="\(nonce)">
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="off" required spellcheck="false" aria-describedby="token-help">
            <p id="token-help" class="help">The same token as the API's, <code>jl_</code> and 43 characters (<code>jobledger token create</code>). It stays on the server; the browser keeps only a session cookie.</p>
            <button type="submit">Sign in</button>
            </form>
            """
        var headers = HTTPFields()
        headers[.setCookie] = cookies.set(cookies.signIn, nonce, maxAge: 900)
        return Layout.response(Layout.page(title: "Sign in", session: nil, main: main), status: status, headers: headers)
    }

    func signIn(_ request: Request, _ context: LedgerRequestContext) async -> Response {
        let cookies = dashboard.cookies
        do {
            let form = try await dashboard.form(request)
            guard let sent = form["nonce"], let kept = Cookies.value(cookies.signIn, in: request), RandomText.same(sent, kept) else {
                return signInPage(error: "This sign-in form has expired or was not loaded from this server; try again.", status: .forbidden)
            }
            let text = form["token"]?.trimmingSpaces ?? ""
            let refusal: String
            switch try dashboard.ledger.checkToken(text) {
            case .valid(let identity):
                let session = dashboard.sessions.start(tokenText: text, identity: identity)
                var headers = HTTPFields()
                headers[values: .setCookie] = [
                    cookies.set(cookies.session, session.id, maxAge: Int(dashboard.sessions.settings.lifetime.components.seconds)),
                    cookies.clear(cookies.signIn),
                ]
                let start = identity.role == .worker ? "/overview" : "/jobs"
                return Layout.redirect(start, headers: headers)
            case .malformed: refusal = text.isEmpty ? "Enter a token." : "That is not a token: a token is jl_ followed by 43 characters."
            case .unknown: refusal = "That token is not known to this ledger."
            case .revoked(let token): refusal = "The token \(token.id) was revoked."
            case .expired(let token): refusal = "The token \(token.id) has expired."
            }
            return signInPage(error: refusal, status: .unauthorized)
        } catch {
            return dashboard.errorPage(error, session: nil, context: context)
        }
    }

    func signOut(_ request: Request, _ context: LedgerRequestContext) async -> Response {
        let cookies = dashboard.cookies
        do {
            let form = try await dashboard.form(request)
            let session = try dashboard.session(request, form: form)
            dashboard.sessions.end(session.id)
            var headers = HTTPFields()
            headers[.setCookie] = cookies.clear(cookies.session)
            return Layout.redirect("/login", headers: headers)
        } catch is Dashboard.SignInRequired {
            return Layout.redirect("/login")
        } catch {
            return dashboard.errorPage(error, session: nil, context: context)
        }
    }
}
