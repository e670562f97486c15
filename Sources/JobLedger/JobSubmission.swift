import Foundation

/// What a caller gives to submit a job.
public struct JobSubmission: Sendable, Hashable {
    /// The job id; `nil` generates one. Letters, digits and `._:-`, at most 128.
    public var id: String?
    /// The kind of work.
    public var type: String
    /// The job's input as JSON text.
    public var payload: String
    /// Higher runs first; within ``JobLimits/priority``.
    public var priority: Int
    /// Attempts allowed before the job fails for good; within ``JobLimits/maxAttempts``.
    public var maxAttempts: Int
    /// The batch the job belongs to, if any.
    public var batch: String?

    /// Creates a submission.
    public init(
        id: String? = nil, type: String, payload: String = "{}", priority: Int = 0, maxAttempts: Int = 3,
        batch: String? = nil
    ) {
        self.id = id
        self.type = type
        self.payload = payload
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.batch = batch
    }
}

/// Checks of command input, done before anything is read or written.
enum JobInput {
    static let maxIDLength = 128
    static let maxNameLength = 200
    static let maxJSONDepth = 64

    static func validateID(_ id: String, field: String = "job id") throws(JobLedgerError) {
        guard !id.isEmpty else { throw .invalidInput(field: field, reason: "must not be empty") }
        guard id.utf8.count <= maxIDLength else {
            throw .invalidInput(field: field, reason: "is \(id.utf8.count) bytes; the limit is \(maxIDLength)")
        }
        let allowed = id.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._:-".unicodeScalars.contains(scalar))
        }
        guard allowed else {
            throw .invalidInput(field: field, reason: "'\(id)' may hold only ASCII letters, digits and . _ : -")
        }
    }

    static func validateName(_ value: String, field: String) throws(JobLedgerError) {
        guard !value.isEmpty else { throw .invalidInput(field: field, reason: "must not be empty") }
        guard value.utf8.count <= maxNameLength else {
            throw .invalidInput(field: field, reason: "is longer than \(maxNameLength) bytes")
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{FFFD}" }) else {
            throw .invalidInput(field: field, reason: "holds control characters or invalid UTF-8")
        }
    }

    static func validateJSON(_ text: String, field: String) throws(JobLedgerError) {
        let data = Data(text.utf8)
        guard depth(of: data) <= maxJSONDepth else {
            throw .invalidInput(field: field, reason: "JSON nests deeper than \(maxJSONDepth) levels")
        }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .invalidInput(field: field, reason: "is not valid JSON")
        }
    }

    static func validateLease(_ seconds: TimeInterval) throws(JobLedgerError) {
        guard seconds.isFinite, seconds > 0, seconds <= JobLimits.maxLeaseSeconds else {
            throw .invalidInput(
                field: "lease",
                reason: "must be more than 0 and at most \(Int(JobLimits.maxLeaseSeconds)) seconds (30 days), got \(seconds)")
        }
    }

    static func validateMaxAttempts(_ value: Int) throws(JobLedgerError) {
        guard JobLimits.maxAttempts.contains(value) else {
            throw .invalidInput(
                field: "maxAttempts",
                reason: "must be \(JobLimits.maxAttempts.lowerBound) to \(JobLimits.maxAttempts.upperBound), got \(value)")
        }
    }

    static func validatePriority(_ value: Int) throws(JobLedgerError) {
        guard JobLimits.priority.contains(value) else {
            throw .invalidInput(
                field: "priority",
                reason: "must be \(JobLimits.priority.lowerBound) to \(JobLimits.priority.upperBound), got \(value)")
        }
    }

    /// Deepest bracket nesting, ignoring brackets inside strings.
    private static func depth(of data: Data) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
