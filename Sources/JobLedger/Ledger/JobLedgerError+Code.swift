import EventStore

extension JobLedgerError {
    /// The kind of a ledger error: what a caller branches on.
    ///
    /// A struct over a private list rather than a public enum, so that a
    /// later version can add a kind without breaking a caller's `switch`.
    /// Compare with the known kinds (`error.code == .notFound`) or match
    /// them in a `catch` (`catch JobLedgerError.Code.notLeaseHolder`).
    /// ``name`` is stable: problem documents and logs carry it.
    public struct Code: StableErrorCode {
        private enum Kind: String, CaseIterable {
            case notFound = "not_found"
            case forbidden
            case invalidTransition = "invalid_transition"
            case notLeaseHolder = "not_lease_holder"
            case conflictingSubmission = "conflicting_submission"
            case invalidInput = "invalid_input"
            case conflictRetriesExhausted = "conflict_retries_exhausted"
            case unreadableData = "unreadable_data"
            case store
        }

        private let kind: Kind

        private init(_ kind: Kind) { self.kind = kind }

        /// The stable name, in snake case (`not_lease_holder`).
        public var name: String { kind.rawValue }

        /// Every kind this version of the ledger knows, in a fixed order.
        /// A later version may add to it.
        public static var known: [Code] { Kind.allCases.map(Code.init) }

        /// No job has this id.
        public static let notFound = Code(.notFound)
        /// The actor may not do this to the job.
        public static let forbidden = Code(.forbidden)
        /// The job's state does not allow the command.
        public static let invalidTransition = Code(.invalidTransition)
        /// The worker does not hold the lease of that attempt.
        public static let notLeaseHolder = Code(.notLeaseHolder)
        /// A job with this id exists with another type or owner.
        public static let conflictingSubmission = Code(.conflictingSubmission)
        /// A field of the command is invalid.
        public static let invalidInput = Code(.invalidInput)
        /// Concurrent changes kept winning until the command gave up.
        public static let conflictRetriesExhausted = Code(.conflictRetriesExhausted)
        /// A job record or job event the ledger read does not decode.
        public static let unreadableData = Code(.unreadableData)
        /// The event store failed; ``JobLedgerError/underlying`` says how.
        public static let store = Code(.store)

        /// Whether `error` is a ledger error of this kind, for `catch` and
        /// `case` patterns.
        public static func ~= (pattern: Code, error: any Error) -> Bool {
            (error as? JobLedgerError)?.code == pattern
        }
    }
}
