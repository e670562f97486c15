import Foundation

/// A key that makes a job unique within a window (beside idempotency by
/// id): while one job holds the key, a submission of another job with the
/// same key, of the same organisation and type, creates nothing and
/// answers with the job that holds it.
///
/// The key is held from the holder's submission for the `window` of the
/// submission that asks, whatever the holder's state: a job that completed,
/// failed or was cancelled keeps the key until the window has passed (see
/// Docs/Jobs.md, "Unique jobs").
public struct UniqueKey: Sendable, Hashable, Codable {
    /// The key: a name (see ``NameRule``), stored in NFC; compared as bytes
    /// within the submitter's organisation and the job's type.
    public var key: String
    /// How long after the holder's submission the key stays held, in
    /// seconds: at least 0.001, at most ``JobLimits/maxUniqueWindowSeconds``.
    public var window: TimeInterval

    /// Creates a unique key.
    public init(key: String, window: TimeInterval) {
        self.key = key
        self.window = window
    }
}
