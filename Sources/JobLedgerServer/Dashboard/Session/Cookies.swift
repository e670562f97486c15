import HTTPTypes
import Hummingbird

/// The dashboard's cookies: how they are named, set, read and cleared.
struct Cookies: Sendable {
    let behindHTTPS: Bool

    /// The session cookie's name. Behind HTTPS it takes the `__Host-`
    /// prefix, which a browser accepts only with `Secure`, `Path=/` and no
    /// `Domain`: no other site or subdomain can set or shadow it.
    var session: String { behindHTTPS ? "__Host-jl_session" : "jl_session" }
    /// The cookie that ties the sign-in form to the browser that loaded it.
    var signIn: String { behindHTTPS ? "__Host-jl_signin" : "jl_signin" }

    /// A `Set-Cookie` value: HttpOnly (no script reads it), SameSite=Strict
    /// (no other site's page makes the browser send it), Secure behind HTTPS.
    func set(_ name: String, _ value: String, maxAge: Int?) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "HttpOnly", "SameSite=Strict"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if behindHTTPS { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// A `Set-Cookie` value that removes the cookie.
    func clear(_ name: String) -> String { set(name, "", maxAge: 0) }

    /// The value of the cookie `name` in the request, if it sent one.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " })
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }
}
