import Foundation

/// What a caller gives to submit a job.
public struct JobSubmission: Sendable, Hashable {
    /// The job id; `nil` generates one. ASCII letters, digits and `._:-`, at most 128 bytes.
    public var id: String?
    /// The kind of work: a name (see ``NameRule``), stored in NFC.
    public var type: String
    /// The job's input as JSON text.
    public var payload: String
    /// Higher runs first; within ``JobLimits/priority``.
    public var priority: Int
    /// Attempts allowed before the job fails for good; within ``JobLimits/maxAttempts``.
    public var maxAttempts: Int
    /// The batch the job belongs to, if any.
    public var batch: String?
    /// Run no earlier than this time; `nil` runs at once (or after ``delay``).
    public var runAt: Date?
    /// Run no earlier than this many seconds after the ledger's clock at
    /// submission; 0 to ``JobLimits/maxDelaySeconds``. Not with ``runAt``.
    public var delay: TimeInterval?
    /// The longest an attempt may run, in seconds, lease renewals or not;
    /// up to ``JobLimits/maxTimeoutSeconds``. `nil`: no limit.
    public var timeout: TimeInterval?
    /// Ids of jobs (already submitted) that must complete before this one
    /// may be claimed; if one of them ends otherwise, this one is cancelled.
    public var after: [String]
    /// Labels to find the job by (`list --tag`): names (``NameRule``), at
    /// most ``JobLimits/maxTags``; repeats count once.
    public var tags: [String]
    /// Top-level fields of ``payload`` that hold personal data: their values
    /// are stored sealed under a key of the owner, and read as
    /// ``PersonalFields/erasedMarker`` once the owner's data is erased
    /// (``JobLedger/erase(owner:organisation:by:reason:)``). At most
    /// ``PersonalFields/maxFields``; repeats count once.
    public var personal: [String]
    /// A key that no other job of the same organisation and type may hold
    /// within a window: a submission whose key is held answers with the job
    /// that holds it (``SubmitResult/duplicate``) and creates nothing.
    public var unique: UniqueKey?

    /// Creates a submission.
    public init(
        id: String? = nil, type: String, payload: String = "{}", priority: Int = 0, maxAttempts: Int = 3,
        batch: String? = nil, runAt: Date? = nil, delay: TimeInterval? = nil, timeout: TimeInterval? = nil,
        after: [String] = [], tags: [String] = [], personal: [String] = [], unique: UniqueKey? = nil
    ) {
        self.unique = unique
        self.tags = tags
        self.personal = personal
        self.id = id
        self.type = type
        self.payload = payload
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.batch = batch
        self.runAt = runAt
        self.delay = delay
        self.timeout = timeout
        self.after = after
    }
}

/// Checks of command input, done before anything is read or written.
enum JobInput {
    static let maxJSONDepth = 64

    /// Checks an id; see ``NameRule/id(_:field:)``.
    static func validateID(_ id: String, field: String = "job id") throws(JobLedgerError) {
        try NameRule.id(id, field: field)
    }

    /// Checks a name already in its stored form (NFC); see ``NameRule/check(_:field:)``.
    /// Names given by callers go through ``NameRule/name(_:field:)`` instead,
    /// which normalizes them first.
    static func validateName(_ value: String, field: String) throws(JobLedgerError) {
        try NameRule.check(value, field: field)
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

    static func validateTimeout(_ seconds: TimeInterval) throws(JobLedgerError) {
        guard seconds.isFinite, seconds >= 0.001, seconds <= JobLimits.maxTimeoutSeconds else {
            throw .invalidInput(
                field: "timeout",
                reason: "must be at least 0.001 and at most \(Int(JobLimits.maxTimeoutSeconds)) seconds (30 days), got \(seconds)")
        }
    }

    static func validateDelay(_ seconds: TimeInterval) throws(JobLedgerError) {
        guard seconds.isFinite, seconds >= 0, seconds <= JobLimits.maxDelaySeconds else {
            throw .invalidInput(
                field: "delay",
                reason: "must be 0 to \(Int(JobLimits.maxDelaySeconds)) seconds (10 years), got \(seconds)")
        }
    }

    static func validateUniqueWindow(_ seconds: TimeInterval) throws(JobLedgerError) {
        guard seconds.isFinite, seconds >= 0.001, seconds <= JobLimits.maxUniqueWindowSeconds else {
            throw .invalidInput(
                field: "unique window",
                reason: "must be at least 0.001 and at most \(Int(JobLimits.maxUniqueWindowSeconds)) seconds (366 days), got \(seconds)")
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
