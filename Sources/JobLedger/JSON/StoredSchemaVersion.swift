import EventStore
import Foundation
import LedgerWire

/// One value of a stored payload, as an upcaster sees it: job event
/// payloads hold strings, whole numbers, booleans, null and lists of strings.
typealias StoredField = JSONTree<Int>

/// The schema version a stored job event was written in, kept in the
/// payload under the reserved key `$version` only when above 1: the
/// events written before versions existed read as version 1 and keep
/// their bytes. `$` sorts before every letter, so the key comes first in a
/// payload written with sorted keys, and no field of an event starts with it.
enum StoredSchemaVersion {
    /// The reserved key.
    static let key: StaticString = "$version"
    /// The reserved key as a dictionary key.
    static let keyText = "$version"
    private static let quotedKey = Array(#""$version""#.utf8)

    /// What is wrong with a stored version.
    enum Problem: Error {
        case malformed
    }

    /// The version of a flat payload.
    static func read(flat object: FlatJSONObject) throws(Problem) -> Int {
        switch object[key] {
        case nil: return 1
        case .int(let version)? where version >= 1: return version
        default: throw .malformed
        }
    }

    /// The version of any payload: 1 unless it holds the key (a quick scan
    /// of its bytes), else the value the key has at the top level. A
    /// payload that is not an object is left to the decoder's error.
    static func read(payload: [UInt8]) throws(Problem) -> Int {
        guard contains(payload, quotedKey) else { return 1 }
        // Any number here, so a field this reading does not need cannot
        // hide the version.
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONTree<Double>.self, from: Data(payload)) else {
            return 1
        }
        switch fields[keyText] {
        case nil: return 1
        case .number(let version)? where version >= 1 && version <= 1_000_000 && version == version.rounded():
            return Int(version)
        default: throw .malformed
        }
    }

    /// The fields of a payload as an object of values.
    static func fields(of payload: [UInt8]) throws -> [String: StoredField] {
        guard case .object(let fields) = try JSONDecoder().decode(StoredField.self, from: Data(payload)) else {
            throw UpcastError("the payload is not a JSON object")
        }
        return fields
    }

    /// Compact JSON text of `fields`, keys sorted, as the ledger writes payloads.
    static func payload(_ fields: [String: StoredField]) throws -> [UInt8] {
        [UInt8](try LedgerJSONEncoding.encoder().encode(StoredField.object(fields)))
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}

/// An upcaster found stored fields it cannot turn into the next version.
struct UpcastError: Error, CustomStringConvertible {
    /// What was wrong.
    let description: String

    init(_ description: String) { self.description = description }
}

/// A stored job event that this build cannot read in its current shape:
/// written in a schema version newer than the build knows, with a
/// malformed version, or with fields its upcaster refuses. Nothing is
/// changed; the stored bytes stay as they are.
public struct JobEventSchemaError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Hashable {
        /// Written in `version`, newer than `newest`, the newest this build reads.
        case newerVersion(version: Int, newest: Int)
        /// The reserved `$version` key holds something other than a whole number of at least 1.
        case malformedVersion
        /// The upcaster from `version` refused the stored fields.
        case upcastFailed(version: Int, reason: String)
    }

    /// The stored event type.
    public let type: String
    /// The event's position in the log, when the reader knows it.
    public let position: UInt64?
    /// What is wrong.
    public let problem: Problem

    /// `event at position 42 (JobFailed) was written in schema version 3 ...`.
    public var description: String {
        let event = position.map { "event at position \($0) (\(type))" } ?? "event of type \(type)"
        switch problem {
        case .newerVersion(let version, let newest):
            return "\(event) was written in schema version \(version), newer than version \(newest) that this build "
                + "reads; read it with the newer jobledger that wrote it"
        case .malformedVersion:
            return "\(event) has a malformed schema version (the reserved '$version' key must hold a whole number of at least 1)"
        case .upcastFailed(let version, let reason):
            return "\(event) in schema version \(version) cannot be read in the current shape: \(reason)"
        }
    }
}
