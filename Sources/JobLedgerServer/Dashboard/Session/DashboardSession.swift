import Foundation
import JobLedger

/// One signed-in browser: what the server remembers between its requests.
struct DashboardSession: Sendable {
    /// The random id the cookie carries; nothing else is in the cookie.
    let id: String
    /// The token the person signed in with. Kept in the server's memory
    /// only, and checked again with the ledger on every request, so that a
    /// token revoked or expired ends the session at once.
    let tokenText: String
    /// Who the token speaks for, as the ledger said at the last check.
    var identity: AccessToken
    /// The form token every changing request of this session must carry.
    let csrf: String
    /// When the person signed in.
    let createdAt: ContinuousClock.Instant
    /// The last request of this session.
    var lastSeen: ContinuousClock.Instant
    /// What the last action answered, shown once on the next page.
    var notice: Notice?
}

/// The answer of an action, carried from the POST to the page it leads to.
struct Notice: Sendable, Hashable {
    /// The job the action was about: only that job's page shows it.
    let jobID: String
    /// True when the ledger did what was asked.
    let accepted: Bool
    /// The outcome as the ledger names it, such as `already_completed`.
    let outcome: String
    /// A sentence about it.
    let detail: String
}
