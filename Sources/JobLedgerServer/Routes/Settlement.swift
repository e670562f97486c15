import JobLedger

/// The end of an attempt as a worker reports it, alone
/// (`POST /v1/jobs/{id}/complete|fail|ack-cancel`) or among others
/// (`POST /v1/settlements`): one reading of its fields and one command for
/// both routes.
struct Settlement: Sendable {
    /// How the attempt ended: the name of its route and of its `outcome`.
    enum Kind: String, Sendable {
        case complete, fail
        case ackCancel = "ack-cancel"

        /// The body fields the kind takes beside `attempt`.
        var fields: Set<String> {
            switch self {
            case .complete: ["result"]
            case .fail: ["error", "retryable"]
            case .ackCancel: []
            }
        }
    }

    var id: String
    var attempt: Int
    var kind: Kind
    var result: String?
    var error: String?
    var retryable: Bool

    /// Reads the attempt and the kind's fields; a missing or ill-typed one
    /// is refused naming it.
    init(id: String, kind: Kind, fields: BodyFields) throws {
        self.id = id
        self.kind = kind
        attempt = try fields.attempt()
        result = kind == .complete ? fields.json("result") : nil
        error = kind == .fail ? try fields.string("error") ?? "failed" : nil
        retryable = kind == .fail ? try fields.bool("retryable") ?? false : false
    }

    /// Runs the ledger's command as `worker`; the job after it.
    func run(on ledger: JobLedger, worker: String) async throws -> Job {
        switch kind {
        case .complete:
            return try await ledger.complete(id, worker: worker, attempt: attempt, result: result)
        case .fail:
            return try await ledger.fail(id, worker: worker, attempt: attempt, error: error ?? "failed", retryable: retryable)
        case .ackCancel:
            return try await ledger.acknowledgeCancel(id, worker: worker, attempt: attempt)
        }
    }
}
