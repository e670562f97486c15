import EventStore
import Foundation
import Hummingbird
import JobLedger
import LedgerWire

/// An error answer in the `application/problem+json` form of RFC 9457,
/// with a stable `type` per kind.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The kinds of problem and their status codes.
    public enum Kind: String, Sendable, CaseIterable {
        case badInput = "bad-input"
        case unauthorized
        case forbidden
        case notFound = "not-found"
        case notAllowed = "not-allowed"
        case conflict
        case timeout
        case tooLarge = "too-large"
        case busy
        case unavailable
        case `internal`

        /// The HTTP status of the kind.
        public var status: HTTPResponse.Status {
            switch self {
            case .badInput: return .badRequest
            case .unauthorized: return .unauthorized
            case .forbidden: return .forbidden
            case .notFound: return .notFound
            case .notAllowed, .conflict: return .conflict
            case .timeout: return .requestTimeout
            case .tooLarge: return .contentTooLarge
            case .busy, .unavailable: return .serviceUnavailable
            case .internal: return .internalServerError
            }
        }

        /// A short title that does not change between occurrences.
        var title: String {
            switch self {
            case .badInput: return "Bad input"
            case .unauthorized: return "Missing or invalid bearer token"
            case .forbidden: return "Forbidden"
            case .notFound: return "Not found"
            case .notAllowed: return "Not allowed in the job's state"
            case .conflict: return "Conflict"
            case .timeout: return "Request timed out"
            case .tooLarge: return "Request too large"
            case .busy: return "Busy, try again"
            case .unavailable: return "Shutting down"
            case .internal: return "Internal error"
            }
        }
    }

    /// The kind.
    public let kind: Kind
    /// A sentence about this occurrence.
    public let detail: String
    /// The job concerned, when there is one.
    public var jobID: String?
    /// The library's outcome, when the problem is one.
    public var outcome: String?
    /// Seconds after which trying again makes sense (for 503).
    public var retryAfter: Int?
    /// The stable name of the ledger error's code
    /// (``JobLedgerError/Code/name``), when the problem is one.
    public var errorCode: String?
    /// The stable name of the store error's code
    /// (``EventStoreError/Code/name``), when the ledger error is a store failure.
    public var storeErrorCode: String?

    /// Creates a problem.
    public init(_ kind: Kind, _ detail: String, jobID: String? = nil, outcome: String? = nil, retryAfter: Int? = nil) {
        self.kind = kind
        self.detail = detail
        self.jobID = jobID
        self.outcome = outcome
        self.retryAfter = retryAfter
    }

    /// The prefix of every problem type.
    public static let typePrefix = ProblemDocument.typePrefix

    /// The HTTP status.
    public var status: HTTPResponse.Status { kind.status }

    /// The JSON body.
    var document: ProblemDocument {
        var document = ProblemDocument()
        document.type = Self.typePrefix + kind.rawValue
        document.title = kind.title
        document.status = Int(kind.status.code)
        document.detail = detail
        document.jobId = jobID
        document.outcome = outcome
        document.errorCode = errorCode
        document.storeErrorCode = storeErrorCode
        return document
    }

    /// The response: problem+json, with `Retry-After` when set.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: (try? LedgerJSONEncoding.encoder().encode(document)) ?? Data("null".utf8))))
    }
}

extension Problem {
    /// The problem for an error of the ledger, with the status its CLI exit
    /// code stands for, naming the error's code (and the store's, for a
    /// store failure).
    public init(_ error: JobLedgerError) {
        let id = error.jobID
        switch error.code {
        case .notFound: self.init(.notFound, error.description, jobID: id, outcome: JobOutcome.notFound.rawValue)
        case .forbidden: self.init(.forbidden, error.description, jobID: id, outcome: JobOutcome.forbidden.rawValue)
        case .invalidTransition:
            self.init(.notAllowed, error.description, jobID: id, outcome: JobOutcome.notAllowed.rawValue)
        case .notLeaseHolder:
            self.init(.notAllowed, error.description, jobID: id, outcome: JobOutcome.notLeaseHolder.rawValue)
        case .conflictingSubmission:
            self.init(.conflict, error.description, jobID: id, outcome: JobOutcome.conflictingSubmission.rawValue)
        case .invalidInput: self.init(.badInput, error.description)
        case .conflictRetriesExhausted: self.init(.conflict, error.description, jobID: id, retryAfter: 1)
        default:
            switch error.storeCode {
            case .readersFull?: self.init(.busy, error.description, retryAfter: 1)
            case .invalidStreamID?, .invalidEventType?, .invalidActor?, .payloadTooLarge?, .invalidAppend?:
                self.init(.badInput, error.description)
            case .closed?: self.init(.unavailable, error.description, retryAfter: 5)
            // A newer build rebuilt the projections: this server must be
            // restarted on it; another server may take the request meanwhile.
            case .projectionsRebuilt?: self.init(.unavailable, error.description, retryAfter: 5)
            // The database server of a shared ledger is unreachable or
            // failed the statement: nothing was committed; try again.
            case .database?: self.init(.unavailable, error.description, retryAfter: 1)
            default: self.init(.internal, "the ledger failed: \(error.description)")
            }
        }
        errorCode = error.code.name
        storeErrorCode = error.storeCode?.name
    }

    /// The problem for an outcome that the command line treats as a failure
    /// (`not_found`, `forbidden`, `not_allowed`); `nil` for answers.
    init?(outcome: JobOutcome, jobID: String) {
        switch outcome {
        case .notFound: self.init(.notFound, "job '\(jobID)' not found", jobID: jobID, outcome: outcome.rawValue)
        case .forbidden: self.init(.forbidden, "not allowed to act on job '\(jobID)'", jobID: jobID, outcome: outcome.rawValue)
        case .notAllowed, .notLeaseHolder:
            self.init(.notAllowed, "job '\(jobID)': \(outcome.rawValue)", jobID: jobID, outcome: outcome.rawValue)
        default: return nil
        }
    }

    /// Any error thrown while answering, as a problem.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let error as JobLedgerError: return Problem(error)
        case let error as EventStoreError: return Problem(JobLedgerError.store(error))
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return Problem(.tooLarge, "the request body is larger than the limit")
            case .notFound: return Problem(.notFound, "no such route")
            case .methodNotAllowed: return Problem(.notFound, "no route for this method")
            case .unauthorized: return Problem(.unauthorized, error.body ?? "a bearer token is required")
            default:
                return error.status.code < 500
                    ? Problem(.badInput, error.body ?? error.status.reasonPhrase) : Problem(.internal, error.status.reasonPhrase)
            }
        default: return Problem(.internal, "unexpected error: \(error)")
        }
    }
}
