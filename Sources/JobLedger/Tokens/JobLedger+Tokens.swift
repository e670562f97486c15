import Crypto
import EventStore
import Foundation

extension JobLedger {
    // MARK: Bearer tokens

    /// Issues a new bearer token for `actor`, recorded as a `TokenIssued`
    /// event in the `tokens` stream with only the SHA-256 digest of its
    /// text. The text is in the answer and nowhere else.
    ///
    /// - Parameters:
    ///   - worker: the worker id of a worker token (default: the actor's id).
    ///   - expiresIn: seconds until the token stops being accepted; `nil` for never.
    ///   - issuedBy: who issued it, recorded as the event's actor.
    public func issueToken(
        for actor: Actor, worker: String? = nil, expiresIn: TimeInterval? = nil, issuedBy: String = "local"
    ) throws(JobLedgerError) -> IssuedToken {
        try JobInput.validateName(actor.id, field: "actor")
        try JobInput.validateName(actor.organisation, field: "org")
        if let worker { try JobInput.validateName(worker, field: "worker") }
        if worker != nil && actor.role != .worker {
            throw .invalidInput(field: "worker", reason: "only a worker token carries a worker id")
        }
        if let expiresIn, !(expiresIn > 0 && expiresIn <= 100 * 366 * 86_400) {
            throw .invalidInput(field: "expires", reason: "must be more than 0 seconds and at most 100 years")
        }
        let now = JSONCoding.truncated(options.clock())
        let text = TokenText.generate()
        let token = AccessToken(
            id: "tok-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16),
            actor: actor.id, role: actor.role, organisation: actor.organisation,
            worker: actor.role == .worker ? (worker ?? actor.id) : nil,
            expiresAt: expiresIn.map { JSONCoding.truncated(now + $0) }, issuedAt: now, revokedAt: nil,
            digest: Self.digest(of: text))
        try appendTokenEvent(TokenEvent.issuedType, TokenEvent.Issued(token: token), by: issuedBy)
        return IssuedToken(text: text, token: token)
    }

    /// Revokes the token with `id`: refused on the next request. Revoking
    /// a revoked token changes nothing and answers it as it is.
    public func revokeToken(id: String, reason: String? = nil, revokedBy: String = "local") throws(JobLedgerError) -> AccessToken {
        guard let token = try tokens().first(where: { $0.id == id }) else {
            throw .invalidInput(field: "token", reason: "no token has the id '\(id)'")
        }
        if token.revokedAt != nil { return token }
        let now = JSONCoding.truncated(options.clock())
        try appendTokenEvent(TokenEvent.revokedType, TokenEvent.Revoked(id: id, revokedAt: now, reason: reason), by: revokedBy)
        var revoked = token
        revoked.revokedAt = now
        return revoked
    }

    /// Every token ever issued, revoked ones included, in issue order.
    public func tokens() throws(JobLedgerError) -> [AccessToken] {
        do {
            return try tokenCache.tokens(in: store).values.sorted { ($0.issuedAt, $0.id) < ($1.issuedAt, $1.id) }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Checks a bearer token's text against the tokens in the log. Costs
    /// one read of the `tokens` stream's version when no token changed
    /// since the last check; a revocation made by any process is seen by
    /// the next check.
    public func checkToken(_ text: String) throws(JobLedgerError) -> TokenCheck {
        guard TokenText.isWellFormed(text) else { return .malformed }
        let known: [String: AccessToken]
        do {
            known = try tokenCache.tokens(in: store)
        } catch {
            throw Self.wrap(error)
        }
        guard let token = known[Self.digest(of: text)] else { return .unknown }
        if token.revokedAt != nil { return .revoked(token) }
        if let expiresAt = token.expiresAt, options.clock() >= expiresAt { return .expired(token) }
        return .valid(token)
    }

    /// Lower-case hex of the SHA-256 of `text`.
    static func digest(of text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    private func appendTokenEvent(_ type: String, _ payload: some Encodable, by actor: String) throws(JobLedgerError) {
        let bytes: Data
        do {
            bytes = try JSONCoding.encoder.encode(payload)
        } catch {
            throw .invalidInput(field: "token", reason: "cannot be encoded: \(error)")
        }
        do {
            _ = try store.append(
                to: TokenEvent.stream, expectedVersion: .any,
                events: [EventData(type: type, payload: Array(bytes), actor: actor)])
        } catch {
            throw .store(error)
        }
    }
}
