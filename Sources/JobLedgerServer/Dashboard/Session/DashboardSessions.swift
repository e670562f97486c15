import Foundation
import JobLedger
import Synchronization

/// The dashboard's sessions, in memory: a random session id maps to the
/// token a person signed in with. A restart ends every session.
final class DashboardSessions: Sendable {
    private let sessions = Mutex<[String: DashboardSession]>([:])
    let settings: DashboardSettings

    init(settings: DashboardSettings) { self.settings = settings }

    /// Starts a session for a token the ledger accepted.
    func start(tokenText: String, identity: AccessToken) -> DashboardSession {
        let now = ContinuousClock.now
        let session = DashboardSession(
            id: RandomText.make(), tokenText: tokenText, identity: identity, csrf: RandomText.make(),
            createdAt: now, lastSeen: now, notice: nil)
        sessions.withLock { sessions in
            Self.dropExpired(&sessions, now: now, settings: settings)
            if sessions.count >= settings.maxSessions,
               let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
                sessions[oldest.id] = nil
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with this id, its last use now; `nil` when there is
    /// none or it has expired (an expired one is forgotten).
    func touch(_ id: String) -> DashboardSession? {
        let now = ContinuousClock.now
        return sessions.withLock { sessions -> DashboardSession? in
            guard var session = sessions[id] else { return nil }
            guard Self.isLive(session, now: now, settings: settings) else {
                sessions[id] = nil
                return nil
            }
            session.lastSeen = now
            sessions[id] = session
            return session
        }
    }

    /// True while the session lives, without counting this as a use (a
    /// live stream asks at each event; it must not keep the session alive).
    func isLive(_ id: String) -> Bool {
        let now = ContinuousClock.now
        return sessions.withLock { sessions in sessions[id].map { Self.isLive($0, now: now, settings: settings) } ?? false }
    }

    /// Ends a session.
    func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Records the identity the ledger gave at the latest check.
    func update(_ id: String, identity: AccessToken) {
        sessions.withLock { $0[id]?.identity = identity }
    }

    /// Leaves a notice for the session's next page.
    func leave(_ notice: Notice, for id: String) {
        sessions.withLock { $0[id]?.notice = notice }
    }

    /// Takes the session's notice about `jobID`, if any: it is shown once,
    /// on that job's page and no other.
    func takeNotice(_ id: String, jobID: String) -> Notice? {
        sessions.withLock { sessions in
            guard let notice = sessions[id]?.notice, notice.jobID == jobID else { return nil }
            sessions[id]?.notice = nil
            return notice
        }
    }

    /// How many sessions are kept.
    var count: Int { sessions.withLock { $0.count } }

    private static func isLive(_ session: DashboardSession, now: ContinuousClock.Instant, settings: DashboardSettings) -> Bool {
        now - session.lastSeen < settings.idleTimeout && now - session.createdAt < settings.lifetime
    }

    private static func dropExpired(_ sessions: inout [String: DashboardSession], now: ContinuousClock.Instant, settings: DashboardSettings) {
        sessions = sessions.filter { isLive($0.value, now: now, settings: settings) }
    }
}
