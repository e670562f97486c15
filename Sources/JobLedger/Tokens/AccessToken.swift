import Foundation

/// A bearer token as the ledger keeps it: who it speaks for, never the
/// token text itself (only its SHA-256 digest is stored).
public struct AccessToken: Sendable, Hashable, Codable {
    /// The token's id, for listing and revoking; not a secret.
    public var id: String
    /// The actor the token authenticates.
    public var actor: String
    /// The actor's role.
    public var role: Actor.Role
    /// The actor's organisation.
    public var organisation: String
    /// For a worker token, the worker id its worker commands act as.
    public var worker: String?
    /// When the token stops being accepted; `nil` for never.
    public var expiresAt: Date?
    /// When it was issued.
    public var issuedAt: Date
    /// When it was revoked; `nil` while it is in force.
    public var revokedAt: Date?
    /// Lower-case hex of the SHA-256 of the token text.
    public var digest: String

    /// The actor commands made with this token run as.
    public var actingAs: Actor {
        role == .worker ? .worker(worker ?? actor) : Actor(id: actor, role: role, organisation: organisation)
    }

    /// True when it was revoked or has expired at `now`.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}

/// What a token text turned out to be.
public enum TokenCheck: Sendable, Hashable {
    /// A token in force.
    case valid(AccessToken)
    /// Not of the form `jl_` followed by 43 base64url characters.
    case malformed
    /// Well formed, but the ledger never issued it.
    case unknown
    /// Issued, then revoked.
    case revoked(AccessToken)
    /// Issued, and its expiry has passed.
    case expired(AccessToken)
}

/// A newly issued token: the only time its text is known.
public struct IssuedToken: Sendable, Hashable {
    /// The text to send as `Authorization: Bearer <text>`; shown once.
    public let text: String
    /// What the ledger recorded about it.
    public let token: AccessToken
}

/// The token texts and their digests.
public enum TokenText {
    /// Every token begins with this.
    public static let prefix = "jl_"
    /// Base64url characters after the prefix: 32 random bytes, unpadded.
    public static let bodyLength = 43

    /// A new random token text.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    /// True when `text` has the token form; checked before any lookup.
    public static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == prefix.utf8.count + bodyLength, text.hasPrefix(prefix) else { return false }
        return utf8.dropFirst(prefix.utf8.count).allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F
        }
    }
}
