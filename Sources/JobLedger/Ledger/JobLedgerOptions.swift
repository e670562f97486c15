import EventStore
import Foundation

/// How a ``JobLedger`` is opened and how its commands behave.
public struct JobLedgerOptions: Sendable {
    /// Options of the underlying event store (durability, map size, limits).
    public var store = EventStoreOptions()
    /// Spacing of retries after failed attempts and expired leases.
    public var retryPolicy = RetryPolicy()
    /// Tries of a command whose append keeps meeting concurrent changes.
    public var maxConflictRetries = 64
    /// Shortest and longest wait between conflicting tries; the wait doubles
    /// from the first to the second with random jitter.
    public var conflictBackoff: ClosedRange<Double> = 0.000_2...0.02
    /// Jobs a rebuild or verification folds in memory before writing them
    /// to the tables; lower it to bound the memory of rebuilding a ledger
    /// with very many jobs (each takes a few hundred bytes).
    public var rebuildJobsInMemory = JobProjection.defaultRebuildJobsInMemory
    /// The ledger's clock; tests move it to expire leases.
    public var clock: @Sendable () -> Date = { Date() }

    /// Creates the default options: durable store, real clock.
    public init() {}
}
