import EventStore
import Foundation

/// The job a batch enqueues once every one of its jobs has ended
/// (completed, failed for good, cancelled or killed), declared with
/// ``JobLedger/declareFollowUp(ofBatch:_:by:requestID:)``.
///
/// The batch is the jobs carrying its id in the declarer's organisation.
/// The follow-up is submitted by the declarer, under ``jobID`` (derived
/// from the batch), with the payload
/// `{"batch": ID, "outcomes": {JOB: STATE, ...}, "payload": DECLARED}`.
public struct BatchFollowUp: Sendable, Hashable, Codable {
    /// The batch.
    public var batch: String
    /// The id the follow-up job is submitted under: `then:<batch>`.
    public var jobID: String
    /// Who declared it: the follow-up's owner.
    public var owner: String
    /// The declarer's role.
    public var role: Actor.Role
    /// The declarer's organisation: only jobs of it make up the batch.
    public var organisation: String
    /// The follow-up's type.
    public var type: String
    /// The declared payload, as JSON text, carried under `payload`.
    public var payload: String
    /// The follow-up's priority.
    public var priority: Int
    /// The follow-up's attempts.
    public var maxAttempts: Int
    /// The follow-up's timeout in milliseconds, if any.
    public var timeoutMillis: Int?
    /// The follow-up's tags.
    public var tags: [String]?

    /// The id of the follow-up of `batch`.
    public static func jobID(ofBatch batch: String) -> String { "then:" + batch }

    /// Whether two declarations ask for the same follow-up.
    func sameRequest(as other: BatchFollowUp) -> Bool {
        NameRule.same(owner, other.owner) && NameRule.same(organisation, other.organisation)
            && NameRule.same(type, other.type) && payload == other.payload && priority == other.priority
            && maxAttempts == other.maxAttempts && timeoutMillis == other.timeoutMillis && (tags ?? []) == (other.tags ?? [])
    }
}

/// The streams of follow-up declarations: `batch-<id>`, one declaration
/// per batch, appended expecting no stream; and `batches`, every
/// declaration once more, the catalogue the sweep reads to catch up with a
/// follow-up a stopped process did not enqueue.
enum BatchEvents {
    /// The stored event type, in both streams.
    static let declared = "BatchFollowUpDeclared"
    /// The prefix of a batch's stream.
    static let prefix = "batch-"
    /// The catalogue of declarations.
    static let catalogue = "batches"

    /// The stream of `batch`'s declaration.
    static func stream(_ batch: String) -> String { prefix + batch }

    static func payload(_ followUp: BatchFollowUp) throws -> [UInt8] {
        Array(try JSONCoding.encoder.encode(followUp))
    }

    static func decode(_ payload: [UInt8]) throws -> BatchFollowUp {
        try JSONCoding.decoder.decode(BatchFollowUp.self, from: Data(payload))
    }
}
