import EventStore
import Foundation

/// The events of the `tokens` stream: issuing and revoking bearer tokens is
/// recorded in the log like every other change, so it is audited and
/// replicated with the rest of the ledger.
enum TokenEvent {
    /// The stream that holds every token event.
    static let stream = "tokens"
    static let issuedType = "TokenIssued"
    static let revokedType = "TokenRevoked"

    /// The payload of `TokenIssued`: the token's record, digest included.
    struct Issued: Codable {
        var token: AccessToken
    }

    /// The payload of `TokenRevoked`.
    struct Revoked: Codable {
        var id: String
        var revokedAt: Date
        var reason: String?
    }

    /// Folds one stored event into the tokens by digest.
    static func apply(_ event: RecordedEvent, to tokens: inout [String: AccessToken]) throws {
        switch event.type {
        case issuedType:
            let issued = try JSONCoding.decoder.decode(Issued.self, from: Data(event.payload))
            tokens[issued.token.digest] = issued.token
        case revokedType:
            let revoked = try JSONCoding.decoder.decode(Revoked.self, from: Data(event.payload))
            if let digest = tokens.first(where: { $0.value.id == revoked.id })?.key {
                tokens[digest]?.revokedAt = revoked.revokedAt
            }
        default:
            break
        }
    }
}

/// The tokens as of a version of the `tokens` stream, caught up from the
/// log when the stream moved on: one stream-version read per check when
/// nothing changed.
final class TokenCache: Sendable {
    private struct State {
        var version: UInt64 = 0
        var byDigest: [String: AccessToken] = [:]
    }

    private let state = PlainLock(State())

    /// The tokens by digest, after folding the events past the cached version.
    func tokens(in store: any EventStorage) throws -> [String: AccessToken] {
        let current = try store.streamVersion(TokenEvent.stream)
        if let cached = state.withLock({ $0.version == current ? $0.byDigest : nil }) { return cached }
        return try state.withLock { (state: inout State) throws -> [String: AccessToken] in
            // Another caller may have caught up meanwhile; fold only what is new.
            if state.version > current { return state.byDigest }
            let newer = try store.readStream(TokenEvent.stream, from: state.version + 1)
            var tokens = state.byDigest
            for event in newer { try TokenEvent.apply(event, to: &tokens) }
            state.byDigest = tokens
            state.version = newer.last?.streamVersion ?? state.version
            return tokens
        }
    }
}
