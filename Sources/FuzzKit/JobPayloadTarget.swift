import JobLedger

/// Job event payloads, read as the projection and replay read them.
///
/// An input is an event type name, a line feed, then the payload.
/// Properties: the payload either decodes or the decoder throws; a type
/// that is not a job event decodes to nothing; when the fast flat reader
/// understands a payload, the general decoder agrees with it; a decoded
/// event, stored again as the commands store it, reads back the same and
/// stores again to the same bytes.
struct JobPayloadTarget: FuzzTarget {
    let name = "job-payload"
    let maxInputLength = 16 << 10

    static let dictionary: [[UInt8]] = [
        "id", "type", "owner", "organisation", "batch", "payload", "priority", "maxAttempts", "worker", "attempt",
        "leaseUntil", "result", "error", "retryAt", "retryable", "actor", "reason", "nextState", "pending",
        "running", "cancelRequested", "completed", "failed", "cancelled", "killed", "Pending",
    ].map { Array($0.utf8) }

    static let typeNames: [String] = [
        "JobSubmitted", "JobClaimed", "LeaseRenewed", "JobCompleted", "AttemptFailed", "JobFailed",
        "CancelRequested", "JobCancelled", "JobKilled", "LeaseExpired", "JobRetried", "AuditEntry", "",
    ]

    func mutate(_ input: inout [UInt8], corpus: [[UInt8]], using random: inout FuzzRandom) {
        if random.oneIn(12) {
            // Another type for the same payload.
            let split = Self.split(input)
            input = Array(random.pick(Self.typeNames).utf8) + [0x0A] + split.payload
        } else if random.oneIn(5) {
            ByteMutator.mutate(&input, others: corpus, maxLength: maxInputLength, using: &random)
        } else {
            JSONMutator.mutate(&input, dictionary: Self.dictionary, others: corpus, maxLength: maxInputLength, using: &random)
        }
    }

    static func split(_ input: [UInt8]) -> (type: String, payload: [UInt8]) {
        guard let newline = input.firstIndex(of: 0x0A) else { return ("", input) }
        return (String(decoding: input[..<newline], as: UTF8.self), Array(input[(newline + 1)...]))
    }

    func run(_ input: [UInt8]) throws(PropertyViolation) -> FuzzOutcome {
        let (type, payload) = Self.split(input)
        let event: JobEvent?
        do {
            event = try PayloadCodec.decode(type: type, payload: payload)
        } catch {
            if PayloadCodec.decodeFlat(type: type, payload: payload) != nil {
                throw PropertyViolation("the decoder threw although the flat reader understood the payload: \(error)")
            }
            return .refused(kind: Self.kind(of: error))
        }
        guard let event else {
            guard !JobEvent.typeNames.contains(type) else {
                throw PropertyViolation("a payload of the job event type \(type) decoded to nothing")
            }
            return .refused(kind: "not a job event type")
        }
        guard event.typeName == type else {
            throw PropertyViolation("a payload of type \(type) decoded to a \(event.typeName)")
        }
        if let flat = PayloadCodec.decodeFlat(type: type, payload: payload) {
            let general: Result<JobEvent?, any Error> = Result { try PayloadCodec.decodeGeneral(type: type, payload: payload) }
            guard case .success(let generalEvent?) = general, generalEvent == flat else {
                throw PropertyViolation("the flat reader decoded \(flat) but the general decoder \(general)")
            }
        }
        try Self.checkReencoding(event)
        return .accepted
    }

    private static func checkReencoding(_ event: JobEvent) throws(PropertyViolation) {
        do {
            let stored = try PayloadCodec.encode(event)
            guard let again = try PayloadCodec.decode(type: event.typeName, payload: stored), again == event else {
                throw PropertyViolation("\(event) stored again reads back as another event")
            }
            guard try PayloadCodec.encode(again) == stored else {
                throw PropertyViolation("\(event) stored twice gives other bytes")
            }
        } catch let violation as PropertyViolation {
            throw violation
        } catch {
            throw PropertyViolation("\(event) stored again does not read back: \(error)")
        }
    }

    /// A decoding error's case and the coding path's last key.
    static func kind(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "untyped: " + ErrorKind.normalize("\(type(of: error))") }
        switch error {
        case .typeMismatch(let type, let context): return "type mismatch: \(type) at \(lastKey(context))"
        case .valueNotFound(let type, let context): return "value not found: \(type) at \(lastKey(context))"
        case .keyNotFound(let key, _): return "key not found: \(key.stringValue)"
        case .dataCorrupted(let context):
            // "… from invalid String value X": the value is the input's.
            var text = context.debugDescription
            if let value = text.range(of: " value ") { text = text[..<value.upperBound] + "…" }
            return "data corrupted at \(lastKey(context)): " + ErrorKind.normalize(text)
        @unknown default: return "decoding error"
        }
    }

    private static func lastKey(_ context: DecodingError.Context) -> String {
        context.codingPath.last?.stringValue ?? "top level"
    }
}
