import Crypto
import EventStore
import Foundation

/// Payload fields marked personal: sealed with the owner's key when a job
/// is submitted, revealed (or shown erased) when it is read.
///
/// A sealed field's value is stored as `{"$sealed":"k<generation>:<base64>"}`,
/// the base64 of AES-GCM's nonce (12 random bytes, fresh for every value),
/// ciphertext and tag (16 bytes). The plaintext is the value's JSON text as
/// submitted; the authenticated data is the job id and the field name, so a
/// sealed value opens only where it was sealed. Every other byte of the
/// payload stays as submitted.
public enum PersonalFields {
    /// What a personal field reads as once its owner's key is destroyed.
    public static let erasedMarker = #"{"$erased":true}"#
    /// The most fields one job may mark personal.
    public static let maxFields = 64

    static let sealedStart: [UInt8] = Array(#"{"$sealed":"#.utf8)
    static let erasedStart: [UInt8] = Array(#"{"$erased":"#.utf8)
    private static let sealedPrefix: [UInt8] = Array(#"{"$sealed":"k"#.utf8)

    /// The field names in their stored form: each once, in the order given.
    static func checkedNames(_ names: [String]) throws(JobLedgerError) -> [String] {
        var checked: [String] = []
        for name in names where !checked.contains(name) {
            guard !name.isEmpty else { throw .invalidInput(field: "personal", reason: "a field name is empty") }
            checked.append(name)
        }
        guard checked.count <= maxFields else {
            throw .invalidInput(field: "personal", reason: "\(checked.count) fields; a job may mark at most \(maxFields) personal")
        }
        return checked
    }

    /// Refuses a payload holding a top-level value written the way the
    /// ledger writes sealed or erased fields: it would read back as one.
    static func checkReserved(_ payload: String) throws(JobLedgerError) {
        let bytes = Array(payload.utf8)
        let marked = bytes.withUnsafeBufferPointer { contains(sealedStart, in: $0) || contains(erasedStart, in: $0) }
        guard marked else { return }
        for member in TopLevelMember.members(of: bytes) ?? [] {
            let value = bytes[member.value]
            if value.starts(with: sealedStart) || value.starts(with: erasedStart) {
                throw .invalidInput(
                    field: "payload",
                    reason: "the value of '\(member.name)' is an object starting with \"$sealed\" or \"$erased\", "
                        + "which the ledger reserves for personal fields")
            }
        }
    }

    /// Refuses `names` unless `payload` is a JSON object holding each of
    /// them as a top-level field.
    static func checkNames(_ names: [String], in payload: String) throws(JobLedgerError) {
        guard !names.isEmpty else { return }
        guard let members = TopLevelMember.members(of: Array(payload.utf8)) else {
            throw .invalidInput(field: "personal", reason: "personal fields need a payload that is a JSON object")
        }
        for name in names where !members.contains(where: { $0.name == name }) {
            throw .invalidInput(field: "personal", reason: "'\(name)' is not a top-level field of the payload")
        }
    }

    /// The payload with the values of `names` sealed under `key`. Every
    /// name must be a top-level member of the payload, which must be an object.
    static func seal(
        _ payload: String, names: [String], jobID: String, key: PersonalDataKey
    ) throws(JobLedgerError) -> String {
        guard let material = key.material else {
            throw .invalidInput(field: "personal", reason: "the key of \(key.owner) is destroyed")
        }
        let bytes = Array(payload.utf8)
        guard let members = TopLevelMember.members(of: bytes) else {
            throw .invalidInput(field: "personal", reason: "personal fields need a payload that is a JSON object")
        }
        for name in names where !members.contains(where: { $0.name == name }) {
            throw .invalidInput(field: "personal", reason: "'\(name)' is not a top-level field of the payload")
        }
        let symmetric = SymmetricKey(data: material)
        var replacements: [(range: Range<Int>, with: [UInt8])] = []
        for member in members where names.contains(member.name) {
            let box: AES.GCM.SealedBox
            do {
                box = try AES.GCM.seal(
                    bytes[member.value], using: symmetric, nonce: AES.GCM.Nonce(),
                    authenticating: authenticatedData(jobID: jobID, field: member.name))
            } catch {
                throw .invalidInput(field: "personal", reason: "'\(member.name)' could not be sealed: \(error)")
            }
            guard let combined = box.combined else {
                throw .invalidInput(field: "personal", reason: "'\(member.name)' could not be sealed")
            }
            let text = #"{"$sealed":"k\#(key.generation):\#(combined.base64EncodedString())"}"#
            replacements.append((member.value, Array(text.utf8)))
        }
        return String(decoding: TopLevelMember.replacing(replacements, in: bytes), as: UTF8.self)
    }

    /// Whether the payload may hold sealed fields: a byte search, the
    /// whole cost of reading a job without them.
    static func mayHoldSealedFields(_ payload: String) -> Bool {
        var payload = payload
        return payload.withUTF8 { contains(sealedPrefix, in: $0) }
    }

    /// The payload with each sealed field opened with `key`, or shown as
    /// ``erasedMarker`` when the key is destroyed, missing or of another
    /// generation. A sealed value that fails to open under its own key was
    /// changed or moved: unreadable data, never an answer.
    static func reveal(_ payload: String, jobID: String, key: PersonalDataKey?) throws(JobLedgerError) -> String {
        let bytes = Array(payload.utf8)
        guard let members = TopLevelMember.members(of: bytes) else { return payload }
        var replacements: [(range: Range<Int>, with: [UInt8])] = []
        for member in members {
            let value = Array(bytes[member.value])
            guard let (generation, combined) = sealedParts(value) else { continue }
            guard let key, let material = key.material, key.generation == generation else {
                replacements.append((member.value, Array(erasedMarker.utf8)))
                continue
            }
            do {
                let box = try AES.GCM.SealedBox(combined: combined)
                let plain = try AES.GCM.open(
                    box, using: SymmetricKey(data: material), authenticating: authenticatedData(jobID: jobID, field: member.name))
                replacements.append((member.value, Array(plain)))
            } catch {
                throw .unreadableData(
                    jobID: jobID,
                    reason: "personal field '\(member.name)' does not open under its owner's key: it was changed or "
                        + "belongs to another job or field")
            }
        }
        return String(decoding: TopLevelMember.replacing(replacements, in: bytes), as: UTF8.self)
    }

    /// The generation and the sealed bytes of a value written by ``seal``.
    private static func sealedParts(_ value: [UInt8]) -> (UInt64, Data)? {
        guard value.starts(with: sealedPrefix), value.count > sealedPrefix.count + 3,
              value[value.count - 2] == UInt8(ascii: "\""), value[value.count - 1] == UInt8(ascii: "}")
        else { return nil }
        let body = value[sealedPrefix.count..<(value.count - 2)]
        guard let colon = body.firstIndex(of: UInt8(ascii: ":")),
              let generation = UInt64(String(decoding: body[..<colon], as: UTF8.self)),
              let combined = Data(base64Encoded: Data(body[(colon + 1)...]))
        else { return nil }
        return (generation, combined)
    }

    private static func authenticatedData(jobID: String, field: String) -> Data {
        Data(jobID.utf8) + [0] + Data(field.utf8)
    }

    private static func contains(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first else { return false }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count, haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
    }
}
