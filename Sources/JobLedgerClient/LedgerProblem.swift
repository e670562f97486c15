import Foundation
import LedgerWire

/// An error the server answered, from its `application/problem+json` body
/// (RFC 9457).
///
/// `kind` is the last part of the problem's `type`. It is a struct rather
/// than an enum, so a kind that a newer server adds reaches the caller as
/// itself instead of breaking the decoding; compare with the known kinds
/// (`problem.kind == .notAllowed`).
public struct LedgerProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public var kind: Kind
    /// The HTTP status.
    public var status: Int
    /// A short title that does not change between occurrences.
    public var title: String
    /// A sentence about this occurrence.
    public var detail: String
    /// The problem's full `type` URI.
    public var type: String
    /// The job concerned, when there is one.
    public var jobID: String?
    /// The ledger's outcome, when the problem is one (`not_found`,
    /// `forbidden`, `not_allowed`, `not_lease_holder`, ...).
    public var outcome: Outcome?
    /// Seconds after which trying again makes sense (503 answers).
    public var retryAfter: Int?
    /// The stable name of the ledger error's code (`not_found`,
    /// `invalid_input`, `store`, ...), when the server's problem is a
    /// ledger error; a name this client does not know reaches the caller
    /// as it is.
    public var errorCode: String?
    /// The stable name of the event store error's code (`readers_full`,
    /// `closed`, ...), when the ledger error is a store failure.
    public var storeErrorCode: String?
    /// The method and path of the request that was refused.
    public var request: String

    /// A kind of problem: the last part of the `type` URI.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The kind's name, such as `not-allowed`.
        public let rawValue: String

        /// Wraps a kind's name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The request was malformed (400).
        public static let badInput = Kind(rawValue: "bad-input")
        /// No token, or a token that is malformed, unknown, revoked or expired (401).
        public static let unauthorized = Kind(rawValue: "unauthorized")
        /// The token's identity may not do this (403).
        public static let forbidden = Kind(rawValue: "forbidden")
        /// No such job or route (404).
        public static let notFound = Kind(rawValue: "not-found")
        /// The job's state does not allow the command, or the worker does not hold the lease (409).
        public static let notAllowed = Kind(rawValue: "not-allowed")
        /// A conflicting submission, or concurrent changes that did not stop (409).
        public static let conflict = Kind(rawValue: "conflict")
        /// The request or its body is too large (413).
        public static let tooLarge = Kind(rawValue: "too-large")
        /// The server is at a limit; try again after `retryAfter` (503).
        public static let busy = Kind(rawValue: "busy")
        /// The server is shutting down (503).
        public static let unavailable = Kind(rawValue: "unavailable")
        /// The server failed (500).
        public static let `internal` = Kind(rawValue: "internal")

        /// The name.
        public var description: String { rawValue }
    }

    /// Whether trying the same request again later can succeed.
    /// True for a busy or stopping server (503) and for any answer that
    /// says when to try again (`Retry-After`), such as concurrent changes
    /// that did not settle.
    public var isTransient: Bool { status == 503 || retryAfter != nil }

    /// `POST /v1/jobs/x/cancel: 403 forbidden: <detail>`.
    public var description: String {
        var text = "\(request): \(status) \(kind.rawValue): \(detail)"
        if let outcome { text += " (outcome \(outcome.rawValue))" }
        return text
    }

    /// The problem in an error answer: from its problem+json body, or made
    /// from the status alone when the body is not one (a proxy's page).
    init(status: Int, body: Data, retryAfterHeader: String?, request: String) {
        self.init(
            status: status, document: try? JSONDecoder().decode(ProblemDocument.self, from: body),
            fallbackDetail: String(decoding: body.prefix(200), as: UTF8.self),
            retryAfter: retryAfterHeader.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, request: request)
    }

    /// The problem of a document found inside an answer (one entry of a
    /// batch), or made from the status alone.
    init(status: Int, document fields: ProblemDocument?, fallbackDetail: String = "", retryAfter: Int?, request: String) {
        let type = fields?.type ?? Self.prefix + Self.kind(forStatus: status).rawValue
        self.type = type
        self.kind = Kind(rawValue: type.hasPrefix(Self.prefix) ? String(type.dropFirst(Self.prefix.count)) : type)
        self.status = fields?.status ?? status
        self.title = fields?.title ?? HTTPStatusText.phrase(status)
        self.detail = fields?.detail ?? fallbackDetail
        self.jobID = fields?.jobId
        self.outcome = fields?.outcome.map(Outcome.init(rawValue:))
        self.errorCode = fields?.errorCode
        self.storeErrorCode = fields?.storeErrorCode
        self.retryAfter = retryAfter
        self.request = request
    }

    static let prefix = ProblemDocument.typePrefix

    /// The kind a status stands for when the body names none.
    static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 400: return .badInput
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 409: return .conflict
        case 413: return .tooLarge
        case 503: return .unavailable
        case 500...: return .internal
        default: return .badInput
        }
    }
}

/// What went wrong between the client and the server, when the server did
/// not answer with a problem.
public enum LedgerClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The base URL or a path built from it is not a usable URL.
    case invalidURL(String)
    /// The request did not get an answer: connection refused or reset, a
    /// timeout, the client closed. `request` is the method and path.
    case transport(request: String, reason: String)
    /// The server answered a status the route does not have.
    case unexpectedStatus(request: String, status: Int)
    /// The server's answer is not the JSON the route promises.
    case malformedAnswer(request: String, reason: String)
    /// An argument cannot be sent (a JSON result that is not JSON, ...).
    case invalidArgument(name: String, reason: String)

    /// A sentence naming the request and what went wrong.
    public var description: String {
        switch self {
        case .invalidURL(let url): return "'\(url)' is not an http:// or https:// URL"
        case .transport(let request, let reason): return "\(request): no answer from the server: \(reason)"
        case .unexpectedStatus(let request, let status): return "\(request): unexpected status \(status)"
        case .malformedAnswer(let request, let reason): return "\(request): the answer is not what the route promises: \(reason)"
        case .invalidArgument(let name, let reason): return "\(name): \(reason)"
        }
    }
}

/// Reason phrases for the statuses the ledger answers.
enum HTTPStatusText {
    static func phrase(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "HTTP \(status)"
        }
    }
}
