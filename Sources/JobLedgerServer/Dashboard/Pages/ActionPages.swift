import Foundation
import Hummingbird
import JobLedger

/// Cancel, kill and retry from the browser: a confirmation page with a
/// reason, then the command run as the session's token, then the job page
/// with the ledger's answer as the ledger gives it.
struct ActionPages: Sendable {
    let dashboard: Dashboard

    enum Action: String, Sendable, CaseIterable {
        case cancel, kill, retry

        var verb: String {
            switch self {
            case .cancel: return "Cancel"
            case .kill: return "Kill"
            case .retry: return "Retry"
            }
        }

        /// Cancel and kill say why, for the audit entry; a retry may.
        var needsReason: Bool { self != .retry }
    }

    static func action(_ text: String) throws -> Action {
        guard let action = Action(rawValue: text) else {
            throw Problem(.notFound, "no such action '\(text)'; the actions are cancel, kill and retry")
        }
        return action
    }

    func confirm(_ id: String, _ action: Action, _ session: DashboardSession) throws -> Response {
        guard let job = try dashboard.ledger.job(id), Permissions.maySee(job, session.identity) else {
            throw Problem(.notFound, "job '\(id)' not found (or not one you may see)", jobID: id, outcome: JobOutcome.notFound.rawValue)
        }
        let reason: HTML = """
            <label for="reason">Reason\(action.needsReason ? " (required, kept in the audit entry)" : " (optional)")</label>
            <textarea id="reason" name="reason" rows="3"\(action.needsReason ? " required" : "")></textarea>
            """
        let main: HTML = """
            <h1>\(action.verb) job <span class="job-id">\(id)</span>?</h1>
            <p>The job is \(Layout.state(job.state)), of type <strong>\(job.type)</strong>, owned by <strong>\(job.owner)</strong> (\(job.organisation)). The ledger decides whether you may, and records your request with its answer either way.</p>
            <form method="post" action="\(URLPath.job(id, action.rawValue))" class="confirm">
            \(Layout.csrfField(session))
            \(reason)
            <div class="buttons"><button type="submit" id="confirm" class="\(action == .kill ? "danger" : "")">\(action.verb) the job</button>
            <a href="\(URLPath.job(id))">Go back</a></div>
            </form>
            """
        return Layout.response(Layout.page(title: "\(action.verb) \(id)", session: session, current: "/jobs", main: main))
    }

    /// Runs the command; any answer of the ledger (`already_completed`,
    /// `forbidden`, ...) is left as a notice for the job page.
    func run(_ id: String, _ action: Action, _ form: FormFields, _ session: DashboardSession, _ context: LedgerRequestContext) async throws -> Response {
        let reason = form["reason"]?.trimmingSpaces ?? ""
        if action.needsReason && reason.isEmpty {
            throw Problem(.badInput, "a reason is required to \(action.rawValue) a job; nothing was done")
        }
        let ledger = dashboard.ledger
        let actor = session.identity.actingAs
        let request = context.requestID
        let result: ActionResult
        let start = ContinuousClock.now
        switch action {
        case .cancel: result = try await ledger.cancel(id, by: actor, reason: reason, requestID: request)
        case .kill: result = try await ledger.kill(id, by: actor, reason: reason, requestID: request)
        case .retry: result = try await ledger.retry(id, by: actor, requestID: request)
        }
        dashboard.state.metrics.command(action.rawValue, duration: ContinuousClock.now - start)
        // A job the session may not see has no page to go back to: the
        // answer is the page, in the API's words (which reveal no more).
        guard let job = result.job, Permissions.maySee(job, session.identity) else {
            throw Problem(outcome: result.outcome, jobID: id)
                ?? Problem(.notFound, "job '\(id)' not found", jobID: id, outcome: JobOutcome.notFound.rawValue)
        }
        let history = (try? ledger.history(id)) ?? []
        dashboard.sessions.leave(Self.notice(id, result, history: history, request: request), for: session.id)
        return Layout.redirect(URLPath.job(id))
    }

    /// The event that ended an archived job, as its `JobArchived` snapshot names it.
    static func endOfArchivedJob(_ entry: HistoryEntry) -> (type: String, position: Int)? {
        guard let fields = (try? JSONSerialization.jsonObject(with: Data(entry.data.utf8))) as? [String: Any],
              let type = fields["endedBy"] as? String, let position = fields["endedAt"] as? Int
        else { return nil }
        return (type, position)
    }

    /// The answer in words: refusals with the ledger's own sentence,
    /// `already_*` with when and at which event the job got there.
    static func notice(_ jobID: String, _ result: ActionResult, history: [HistoryEntry], request: UUID) -> Notice {
        let outcome = result.outcome
        let audit = history.last { $0.audit?.requestID == request }?.audit
        switch outcome {
        case .alreadyCompleted, .alreadyFailed, .alreadyCancelled, .alreadyKilled:
            let state = result.job?.state
            let reached = history.last { $0.stream == "job" && $0.stateAfter == state && $0.stateBefore != state }
            let when = reached.map { entry in
                // An archived job got there at the event its snapshot names.
                if entry.type == JobEvent.archivedType, let ended = Self.endOfArchivedJob(entry), let job = result.job {
                    return "at \(job.updatedAt.formatted(Date.ISO8601FormatStyle())), at event \(ended.type) (position \(ended.position), archived)"
                }
                return "at \(entry.recordedAt.formatted(Date.ISO8601FormatStyle())), at event \(entry.type) (position \(entry.position))"
            } ?? ""
            return Notice(jobID: jobID, accepted: false, outcome: outcome.rawValue, detail: "the job was already \(state?.rawValue ?? "finished") \(when); nothing changed.")
        case .forbidden, .notAllowed, .notFound, .notLeaseHolder, .conflictingSubmission:
            return Notice(jobID: jobID, accepted: false, outcome: outcome.rawValue, detail: audit?.detail ?? "the ledger refused the command.")
        default:
            return Notice(jobID: jobID, accepted: true, outcome: outcome.rawValue, detail: "the job became \(result.job?.state.rawValue ?? "gone").")
        }
    }
}
