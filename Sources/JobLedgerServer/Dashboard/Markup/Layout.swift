import Foundation
import Hummingbird
import JobLedger

/// The frame every dashboard page shares: the head with the server's own
/// style and script files, the navigation, who is signed in, and the
/// sign-out form.
enum Layout {
    /// What the page's script needs to follow the log live.
    struct Live: Sendable {
        /// The log position the page was rendered at.
        let after: UInt64
        /// The job the page shows, for a job page.
        let jobID: String?
        /// The stream the page follows: the jobs' `/live` unless the page
        /// needs another view of it (the events page's filtered events).
        var stream = "/live"
    }

    /// A whole page.
    static func page(title: String, session: DashboardSession?, current: String = "", live: Live? = nil, main: HTML) -> HTML {
        let liveAttributes: HTML = live.map { live -> HTML in
            "data-live=\"\(live.stream)\" data-after=\"\(String(live.after))\"\(live.jobID.map { id -> HTML in " data-job=\"\(id)\"" } ?? .empty)"
        } ?? .empty
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · jobledger</title>
            <link rel="stylesheet" href="/assets/dashboard.css">
            <script src="/assets/dashboard.js" defer></script>
            </head>
            <body \(liveAttributes)>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <span class="brand">jobledger</span>
            \(session.map { navigation($0, current: current) } ?? .empty)
            </header>
            <main id="main" tabindex="-1">
            \(main)
            </main>
            </body>
            </html>
            """
    }

    static func navigation(_ session: DashboardSession, current: String) -> HTML {
        let identity = session.identity
        var links: [(String, String)] = [("/overview", "Overview"), ("/jobs", "Jobs")]
        if identity.role == .system { links.append(("/events", "Events")) }
        let items = links.map { href, label -> HTML in
            let mark: HTML = href == current ? " aria-current=\"page\"" : .empty
            return "<li><a href=\"\(href)\"\(mark)>\(label)</a></li>"
        }
        return """
            <nav aria-label="Main"><ul>\(items)</ul></nav>
            <div class="who">
            <span>Signed in as <strong>\(identity.actor)</strong> (\(identity.role.rawValue), \(identity.organisation))</span>
            <form method="post" action="/logout">\(csrfField(session))<button type="submit" class="link">Sign out</button></form>
            </div>
            """
    }

    /// The hidden form field that carries the session's form token.
    static func csrfField(_ session: DashboardSession) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(session.csrf)\">"
    }

    /// A time as the pages show it: UTC to the second, with the exact
    /// instant in the `datetime` attribute.
    static func time(_ date: Date?) -> HTML {
        guard let date else { return "<span class=\"none\">—</span>" }
        let exact = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let shown = date.formatted(Date.ISO8601FormatStyle()).replacingOccurrences(of: "T", with: " ")
        return "<time datetime=\"\(exact)\">\(shown)</time>"
    }

    /// A value that may be absent.
    static func optional(_ text: String?) -> HTML {
        guard let text, !text.isEmpty else { return "<span class=\"none\">—</span>" }
        return "\(text)"
    }

    /// A job's state, styled by name.
    static func state(_ state: JobState) -> HTML {
        "<span class=\"state state-\(state.rawValue)\">\(state.rawValue)</span>"
    }

    /// The page as an HTTP answer.
    static func response(_ html: HTML, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.text)))
    }

    /// A `303 See Other` to `location`, with more headers if given.
    static func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// A message box: an error (`alert`) or a notice (`status`).
    static func message(_ text: String, error: Bool) -> HTML {
        error
            ? "<div class=\"message error\" role=\"alert\">\(text)</div>"
            : "<div class=\"message\" role=\"status\">\(text)</div>"
    }
}
