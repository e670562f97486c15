import Foundation

/// Writes one flat JSON object by hand, keys in the order given.
///
/// Event payloads and audit entries are written on every command; the
/// general-purpose encoder cost a quarter of a command's instructions, so
/// these small, fixed shapes are written directly. The output is the same
/// JSON the decoder reads back.
struct JSONWriter {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    init() { bytes.reserveCapacity(256) }

    private mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        Self.appendQuoted(value, to: &bytes)
    }

    mutating func int(_ name: StaticString, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func date(_ name: StaticString, _ value: Date?) {
        guard let value else { return }
        string(name, JSONCoding.formatTimestamp(value))
    }

    /// The finished object.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JobEvent {
    /// The JSON payload of the event, keys sorted.
    func encodedPayload() throws -> [UInt8] {
        var json = JSONWriter()
        switch self {
        case .submitted(let data):
            json.string("batch", data.batch)
            json.string("id", data.id)
            json.int("maxAttempts", data.maxAttempts)
            json.string("organisation", data.organisation)
            json.string("owner", data.owner)
            json.string("payload", data.payload)
            json.int("priority", data.priority)
            json.string("type", data.type)
        case .claimed(let data), .leaseRenewed(let data):
            json.int("attempt", data.attempt)
            json.date("leaseUntil", data.leaseUntil)
            json.string("worker", data.worker)
        case .completed(let data):
            json.int("attempt", data.attempt)
            json.string("result", data.result)
            json.string("worker", data.worker)
        case .attemptFailed(let data):
            json.int("attempt", data.attempt)
            json.string("error", data.error)
            json.date("retryAt", data.retryAt)
            json.string("worker", data.worker)
        case .failed(let data):
            json.int("attempt", data.attempt)
            json.string("error", data.error)
            json.bool("retryable", data.retryable)
            json.string("worker", data.worker)
        case .cancelRequested(let data), .cancelled(let data), .killed(let data):
            json.string("actor", data.actor)
            json.string("reason", data.reason)
        case .leaseExpired(let data):
            json.int("attempt", data.attempt)
            json.string("nextState", data.nextState.rawValue)
            json.date("retryAt", data.retryAt)
            json.string("worker", data.worker)
        case .retried(let data):
            json.string("actor", data.actor)
        }
        return json.finish()
    }
}

extension AuditEntry {
    /// The JSON payload of the audit entry, keys sorted.
    func encodedPayload() -> [UInt8] {
        var json = JSONWriter()
        json.string("action", action)
        json.string("actor", actor)
        json.string("detail", detail)
        json.string("jobID", jobID)
        json.string("organisation", organisation)
        json.string("outcome", outcome.rawValue)
        json.string("reason", reason)
        // Lower-case, as the event's correlation id is written everywhere.
        json.string("requestID", requestID.uuidString.lowercased())
        json.string("role", role.rawValue)
        return json.finish()
    }
}
