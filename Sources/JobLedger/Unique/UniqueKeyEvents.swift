import EventStore
import Foundation

/// The stream of one unique key, `unique-<digest>`: one `UniqueKeyTaken`
/// event for each job that took the key.
///
/// The stream's name is a SHA-256 digest of the organisation, the job type
/// and the key (each a name of up to 200 bytes), so that it fits the
/// store's limit on stream names whatever they are; the event carries all
/// three in the clear. A submission with a key reads the stream's last
/// event and appends the next one with the version it read, in the same
/// atomic append as the new job's `JobSubmitted`: of two submissions that
/// read the key free, only one is stored.
enum UniqueKeyEvents {
    /// The stored event type.
    static let taken = "UniqueKeyTaken"
    /// The prefix of every unique key's stream.
    static let prefix = "unique-"

    /// The stream of `key` for jobs of `type` in `organisation`.
    /// The three names are joined with NUL bytes, which no name holds.
    static func stream(organisation: String, type: String, key: String) -> String {
        prefix + JobLedger.digest(of: organisation + "\u{0}" + type + "\u{0}" + key)
    }

    /// The payload of `UniqueKeyTaken`.
    struct Taken: Codable, Hashable {
        /// The job that took the key.
        var job: String
        var organisation: String
        var type: String
        var key: String
        /// The window the job's submission asked for, in milliseconds.
        var windowMillis: Int

        /// The stream the event belongs to.
        var stream: String { UniqueKeyEvents.stream(organisation: organisation, type: type, key: key) }
    }

    static func payload(_ taken: Taken) throws -> [UInt8] {
        Array(try JSONCoding.encoder.encode(taken))
    }

    static func decode(_ payload: [UInt8]) throws -> Taken {
        try JSONCoding.decoder.decode(Taken.self, from: Data(payload))
    }
}

/// Who holds a unique key: the last `UniqueKeyTaken` of its stream.
struct UniqueKeyHolder {
    let taken: UniqueKeyEvents.Taken
    /// When the key was taken: the holder's submission.
    let takenAt: Date
    /// The version of the key's stream it was read at.
    let version: UInt64
}
