import Foundation

/// Reads one flat JSON object (string, integer, boolean and null values)
/// into its list of fields, without the general decoder.
///
/// Job event payloads are flat objects and are read on every append (by the
/// projection) and on every replay; the general decoder cost a third of a
/// rebuild. Anything this reader does not understand (nesting, fractions,
/// exponents) makes it return `nil`, and the caller falls back to the
/// general decoder, which also produces the precise error for bad input.
struct FlatJSONReader {
    enum Value: Equatable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case null
    }

    private let bytes: [UInt8]
    private var index = 0

    /// The fields of a flat object, looked up by a linear search: job
    /// events have at most eight, where hashing each key cost more. Keys
    /// stay as byte ranges of the text (a key with an escape sends the
    /// object to the general decoder), so no key becomes a `String`.
    struct Fields {
        fileprivate let bytes: [UInt8]
        fileprivate var entries: [(key: Range<Int>, value: Value)] = []

        subscript(key: StaticString) -> Value? {
            for entry in entries where Self.bytes(bytes, entry.key, equal: key) { return entry.value }
            return nil
        }

        fileprivate func contains(key: Range<Int>) -> Bool {
            entries.contains { $0.key.count == key.count && bytes[$0.key].elementsEqual(bytes[key]) }
        }

        private static func bytes(_ bytes: [UInt8], _ range: Range<Int>, equal key: StaticString) -> Bool {
            guard range.count == key.utf8CodeUnitCount else { return false }
            return bytes.withUnsafeBufferPointer { buffer in
                memcmp(buffer.baseAddress! + range.lowerBound, key.utf8Start, range.count) == 0
            }
        }
    }

    /// The object's fields, or `nil` when the text is not a flat object.
    static func fields(of bytes: [UInt8]) -> Fields? {
        var reader = FlatJSONReader(bytes: bytes)
        return reader.object()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func object() -> Fields? {
        guard expect(UInt8(ascii: "{")) else { return nil }
        var fields = Fields(bytes: bytes)
        fields.entries.reserveCapacity(8)
        if expect(UInt8(ascii: "}")) { return fields }
        repeat {
            skipSpace()
            guard let key = plainKey(), expect(UInt8(ascii: ":")), let value = value() else { return nil }
            // A repeated key: the general decoder keeps the first value, so let it decide.
            guard !fields.contains(key: key) else { return nil }
            fields.entries.append((key, value))
        } while expect(UInt8(ascii: ","))
        guard expect(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        return index == bytes.count ? fields : nil
    }

    private mutating func value() -> Value? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string().map(Value.string)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(Value.int)
        default: return nil
        }
    }

    private mutating func literal(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard bytes.count - index >= utf8.count, bytes[index..<index + utf8.count].elementsEqual(utf8) else { return false }
        index += utf8.count
        return true
    }

    private mutating func integer() -> Int? {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digits = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        // JSON allows no leading zeros, which `Int` would read.
        if index - digits > 1 && bytes[digits] == UInt8(ascii: "0") { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            return nil
        }
        guard index > digits else { return nil }
        // Accumulated negative, so that Int.min is read too; overflow is refused.
        var value = 0
        for byte in bytes[digits..<index] {
            let (shifted, overflowMultiplying) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowSubtracting) = shifted.subtractingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflowMultiplying || overflowSubtracting { return nil }
            value = next
        }
        if digits > start { return value }
        return value == .min ? nil : -value
    }

    /// A key without escapes, as the range of its bytes; `nil` otherwise.
    private mutating func plainKey() -> Range<Int>? {
        guard let run = quotedPlainRun() else { return nil }
        // A key that is not UTF-8 makes the text not JSON, even if unused.
        guard run.ascii || Self.text(bytes[run.range], ascii: false) != nil else { return nil }
        return run.range
    }

    /// From an opening quote, the bytes up to the closing quote when none
    /// of them needs unescaping, and whether they are all ASCII; `nil` (and
    /// `index` just after the opening quote) at an escape, a control byte or
    /// the end of the text.
    private mutating func quotedPlainRun() -> (range: Range<Int>, ascii: Bool)? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var highBits: UInt8 = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
              bytes[index] >= 0x20 {
            highBits |= bytes[index]
            index += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            index = start
            return nil
        }
        index += 1
        return (start..<index - 1, highBits < 0x80)
    }

    private mutating func string() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        // Most strings hold no escape: take their bytes as they are.
        if let run = quotedPlainRun() { return Self.text(bytes[run.range], ascii: run.ascii) }
        let start = index
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - start)
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return Self.text(out[...], ascii: !out.contains { $0 >= 0x80 })
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                default: return nil  // \u escapes: leave to the general decoder
                }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }
}

extension FlatJSONReader {
    /// The string of `bytes`: ASCII is valid UTF-8 as it is; other text is
    /// validated, since text that is not UTF-8 is not JSON and
    /// `String(decoding:)` alone would repair it.
    fileprivate static func text(_ bytes: ArraySlice<UInt8>, ascii: Bool) -> String? {
        ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }
}

extension JobEvent {
    /// Builds the event from a flat object; `nil` when a field is missing
    /// or of another kind (the general decoder then decides).
    static func fromFlatFields(type: String, _ f: FlatJSONReader.Fields) -> JobEvent? {
        func text(_ key: StaticString) -> String? { if case .string(let value)? = f[key] { value } else { nil } }
        func optionalText(_ key: StaticString) -> String?? {
            switch f[key] {
            case nil, .null?: return .some(nil)
            case .string(let value)?: return .some(value)
            default: return nil
            }
        }
        func int(_ key: StaticString) -> Int? { if case .int(let value)? = f[key] { value } else { nil } }
        func bool(_ key: StaticString) -> Bool? { if case .bool(let value)? = f[key] { value } else { nil } }
        func date(_ key: StaticString) -> Date? { text(key).flatMap(LedgerInstant.date(from:)) }

        switch type {
        case "JobSubmitted":
            guard let id = text("id"), let jobType = text("type"), let owner = text("owner"),
                  let organisation = text("organisation"), let batch = optionalText("batch"),
                  let payload = text("payload"), let priority = int("priority"), let maxAttempts = int("maxAttempts")
            else { return nil }
            return .submitted(.init(
                id: id, type: jobType, owner: owner, organisation: organisation, batch: batch, payload: payload,
                priority: priority, maxAttempts: maxAttempts))
        case "JobClaimed", "LeaseRenewed":
            guard let worker = text("worker"), let attempt = int("attempt"), let lease = date("leaseUntil") else { return nil }
            let data = Claimed(worker: worker, attempt: attempt, leaseUntil: lease)
            return type == "JobClaimed" ? .claimed(data) : .leaseRenewed(data)
        case "JobCompleted":
            guard let worker = text("worker"), let attempt = int("attempt"), let result = optionalText("result") else { return nil }
            return .completed(.init(worker: worker, attempt: attempt, result: result))
        case "AttemptFailed":
            guard let worker = text("worker"), let attempt = int("attempt"), let error = text("error"),
                  let retryAt = date("retryAt") else { return nil }
            return .attemptFailed(.init(worker: worker, attempt: attempt, error: error, retryAt: retryAt))
        case "JobFailed":
            guard let worker = text("worker"), let attempt = int("attempt"), let error = text("error"),
                  let retryable = bool("retryable") else { return nil }
            return .failed(.init(worker: worker, attempt: attempt, error: error, retryable: retryable))
        case "CancelRequested", "JobCancelled", "JobKilled":
            guard let actor = text("actor"), let reason = text("reason") else { return nil }
            let data = Stop(actor: actor, reason: reason)
            return type == "CancelRequested" ? .cancelRequested(data) : type == "JobCancelled" ? .cancelled(data) : .killed(data)
        case "LeaseExpired":
            guard let worker = text("worker"), let attempt = int("attempt"),
                  let next = text("nextState").flatMap(JobState.init(rawValue:)) else { return nil }
            let retryAt: Date?
            switch f["retryAt"] {
            case nil, .null?: retryAt = nil
            default:
                guard let parsed = date("retryAt") else { return nil }
                retryAt = parsed
            }
            return .leaseExpired(.init(worker: worker, attempt: attempt, nextState: next, retryAt: retryAt))
        case "JobRetried":
            guard let actor = text("actor") else { return nil }
            return .retried(.init(actor: actor))
        default:
            return nil
        }
    }
}
