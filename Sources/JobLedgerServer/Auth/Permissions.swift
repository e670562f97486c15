import JobLedger

/// Who may call which route, from the token alone (Docs/Jobs.md's rules;
/// the ledger itself decides and audits cancel, kill and retry).
enum Permissions {
    /// Worker routes (claim, renew, complete, fail, ack-cancel) need a
    /// worker token; its worker id is the one they act as.
    static func requireWorker(_ token: AccessToken) throws -> String {
        guard token.role == .worker, let worker = token.worker else {
            throw Problem(.forbidden, "this route needs a worker token; \(token.id) is a \(token.role.rawValue) token")
        }
        return worker
    }

    /// Submitting: a user, an admin or the system (who becomes the owner); not a worker.
    static func requireSubmitter(_ token: AccessToken) throws {
        if token.role == .worker {
            throw Problem(.forbidden, "a worker token may not submit jobs")
        }
    }

    /// Reads of the whole log (events, stream, export, report) cover every
    /// organisation, so they need a system token.
    static func requireSystem(_ token: AccessToken, for what: String) throws {
        guard token.role == .system else {
            throw Problem(.forbidden, "\(what) covers every organisation and needs a system token")
        }
    }

    /// Whether the token may see `job`: the system everything; an admin
    /// the jobs of their organisation; a user their own jobs; a worker the
    /// job it holds.
    static func maySee(_ job: Job, _ token: AccessToken) -> Bool {
        switch token.role {
        case .system: return true
        case .admin: return job.organisation == token.organisation
        case .user: return job.organisation == token.organisation && job.owner == token.actor
        case .worker: return job.worker != nil && job.worker == token.worker
        }
    }

    /// Restricts a list query to what the token may see; a query naming
    /// another organisation or owner is refused rather than silently narrowed.
    static func scope(_ query: JobQuery, _ token: AccessToken) throws -> JobQuery {
        var query = query
        switch token.role {
        case .system:
            return query
        case .worker:
            throw Problem(.forbidden, "a worker token may not list jobs")
        case .admin, .user:
            if let org = query.organisation, org != token.organisation {
                throw Problem(.forbidden, "a \(token.role.rawValue) of '\(token.organisation)' may not list jobs of '\(org)'")
            }
            query.organisation = token.organisation
            if token.role == .user {
                if let owner = query.owner, owner != token.actor {
                    throw Problem(.forbidden, "a user may list only their own jobs")
                }
                query.owner = token.actor
            }
            return query
        }
    }
}
