import Foundation
import LMDB

/// Damage done to a stored event behind the store's back, the way a bad
/// disk or a stray write would leave it: the bytes change, the checksum
/// stored with them does not.
public enum EventDamage {
    /// Why the damage could not be done.
    public struct Failure: Error, CustomStringConvertible {
        /// What was missing.
        public let description: String
    }

    /// Replaces the first occurrence of `text` in the stored envelope of the
    /// event at `position` by `replacement` (of the same length), with no
    /// store of the ledger open in this process.
    public static func replace(
        _ text: String, with replacement: String, inEventAt position: UInt64, ledgerAt path: String
    ) throws {
        let old = Array(text.utf8)
        let new = Array(replacement.utf8)
        guard old.count == new.count, !old.isEmpty else {
            throw Failure(description: "'\(text)' and '\(replacement)' differ in length")
        }
        let environment = try Environment(path: path)
        defer { environment.close() }
        let events = try environment.openDatabase("events", flags: [])
        try environment.write { txn in
            let key = withUnsafeBytes(of: position.bigEndian) { Array($0) }
            guard var bytes = try txn.get(key, in: events) else {
                throw Failure(description: "no event at position \(position)")
            }
            guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: old) }) else {
                throw Failure(description: "'\(text)' is not in the event at position \(position)")
            }
            bytes.replaceSubrange(start..<start + old.count, with: new)
            try txn.put(key, bytes, in: events)
        }
    }
}
