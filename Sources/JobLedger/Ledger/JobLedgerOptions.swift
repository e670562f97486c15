import EventStore
import Foundation

/// How a ``JobLedger`` is opened and how its commands behave.
public struct JobLedgerOptions: Sendable {
    /// Options of the underlying event store (durability, map size, limits).
    public var store = EventStoreOptions()
    /// Spacing of retries after failed attempts and expired leases.
    public var retryPolicy = RetryPolicy()
    /// How every command retries when concurrent changes win: tries, and
    /// the jittered wait between them.
    public var conflictRetry = ConflictRetryPolicy()
    /// Tries of a command whose append keeps meeting concurrent changes
    /// (``ConflictRetryPolicy/attempts`` of ``conflictRetry``).
    public var maxConflictRetries: Int {
        get { conflictRetry.attempts }
        set { conflictRetry.attempts = newValue }
    }
    /// Shortest and longest wait between conflicting tries; the wait doubles
    /// from the first to the second with random jitter
    /// (``ConflictRetryPolicy/backoff`` of ``conflictRetry``).
    public var conflictBackoff: ClosedRange<Double> {
        get { conflictRetry.backoff }
        set { conflictRetry.backoff = newValue }
    }
    /// Jobs a rebuild or verification folds in memory before writing them
    /// to the tables; lower it to bound the memory of rebuilding a ledger
    /// with very many jobs (each takes a few hundred bytes).
    public var rebuildJobsInMemory = JobProjection.defaultRebuildJobsInMemory
    /// The ledger's clock; tests move it to expire leases.
    public var clock: @Sendable () -> Date = { Date() }

    /// Creates the default options: durable store, real clock.
    public init() {}

    /// The options to open a store with for a ledger: ``store`` with the
    /// job projection added. A ledger on another backend opens its store
    /// with these and passes it to ``JobLedger/init(store:options:)``.
    public var storeOptionsWithJobProjection: EventStoreOptions {
        var options = store
        options.projections.append(JobProjection(rebuildJobsInMemory: rebuildJobsInMemory))
        return options
    }
}
