/// The body of the server's error answers, `application/problem+json`
/// (RFC 9457) with the ledger's members: the server writes it, the client
/// reads it. Every member may be absent, as in a body that a proxy or an
/// older server wrote.
package struct ProblemDocument: Codable, Sendable, Hashable {
    /// The prefix of every problem `type` the ledger writes; the kind
    /// (`bad-input`, `not-allowed`, ...) follows it.
    package static let typePrefix = "https://jobledger.dev/problems/"

    /// The problem's `type` URI.
    package var type: String?
    /// A short title that does not change between occurrences.
    package var title: String?
    /// The HTTP status.
    package var status: Int?
    /// A sentence about this occurrence.
    package var detail: String?
    /// The job concerned.
    package var jobId: String?
    /// The ledger's outcome, when the problem is one.
    package var outcome: String?
    /// The stable name of the ledger error's code.
    package var errorCode: String?
    /// The stable name of the event store error's code.
    package var storeErrorCode: String?

    /// A document with no members; the server sets the ones it has.
    package init() {}
}
