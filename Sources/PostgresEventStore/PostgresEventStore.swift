import EventStore
import Foundation
import Logging
import PostgresNIO

/// The storage contract on PostgreSQL: one database, any number of
/// processes appending and reading at once, on one or many hosts.
///
/// It keeps the contract's promises as the LMDB store does. Positions are
/// dense and commit in order because every append transaction locks one
/// head row before it allocates them (Docs/Architecture.md says why not a
/// sequence). Each process gathers its callers' appends into shared
/// transactions (group commit), checks expected versions and event ids
/// under the lock, writes the projection tables in the same transaction,
/// and notifies the other processes through `LISTEN`/`NOTIFY`; a
/// notification only ends a wait early, readers always read the log.
///
/// ```swift
/// let store = try PostgresEventStore.open(
///     url: "postgresql://jobledger@/ledger?host=/run/postgresql", options: options)
/// ```
public final class PostgresEventStore: EventStorage, Sendable {
    /// Where the ledger lives.
    public let location: PostgresLocation
    /// The options the store was opened with.
    public let options: EventStoreOptions

    /// The database URL, without its password.
    public var locationDescription: String { location.description }

    /// True: every call is a round trip to the database server.
    public var callsWaitOnNetwork: Bool { true }

    let pool: PostgresSessionPool
    let notifier = CommitNotifier()
    private let committer: GroupCommitter
    private let listener: PostgresCommitListener
    /// Why this store refuses appends and imports, if it does.
    let appendRefusal: EventStoreError?

    /// Connects to the database at `url`, creating the ledger's tables
    /// when they are missing and rebuilding the projections when they were
    /// built by other code.
    ///
    /// - Throws: ``EventStoreError`` naming the URL's problem, a database
    ///   that cannot be reached, or a schema newer than this program's.
    public static func open(url: String, options: EventStoreOptions = EventStoreOptions()) throws(EventStoreError) -> PostgresEventStore {
        try PostgresEventStore(location: PostgresLocation(url: url), options: options)
    }

    /// Connects to the database at `location`; see ``open(url:options:)``.
    public init(location: PostgresLocation, options: EventStoreOptions = EventStoreOptions()) throws(EventStoreError) {
        self.location = location
        self.options = options
        var logger = Logger(label: "jobledger.postgres")
        logger.logLevel = .critical
        let pool = PostgresSessionPool(location: location, logger: logger)
        self.pool = pool
        let session = try pool.dedicatedSession()
        defer { session.close() }
        try PostgresSchema.prepare(session, location: location)
        let stored = try PostgresSchema.projectionVersion(session)
        let current = EventStore.projectionVersion(of: options.projections)
        appendRefusal = options.appendRefusal(location: location.description, storedProjections: stored)
        // Stale or missing projections are rebuilt even by a store opened
        // read-only: the rebuild is one transaction on the server, which
        // every process may run, and a reader must not answer from them.
        if !options.projections.isEmpty && stored != current {
            _ = try Self.rebuild(session: session, projections: options.projections, progress: nil)
        }
        let notifier = self.notifier
        listener = try PostgresCommitListener(pool: pool, channel: location.notificationChannel) { notifier.notify() }
        let projections = options.projections
        let durable = options.durability == .durable
        committer = GroupCommitter(maxEventsPerCommit: options.maxEventsPerCommit, onCommit: { notifier.notify() }) {
            PostgresBatchWriter(pool: pool, projections: projections, durable: durable, location: location.description)
        }
    }

    deinit {
        committer.stop()
        listener.stop()
        pool.closeAll()
    }

    // MARK: Appending

    /// Appends events to one or more streams, all or none, suspending until
    /// they are committed. See ``EventStorage/append(_:)-async``.
    public func append(_ appends: [StreamAppend]) async throws(EventStoreError) -> AppendResult {
        try await committer.append(try prepare(appends)).get()
    }

    /// Appends events to one or more streams, all or none, blocking the
    /// calling thread until they are committed.
    public func append(_ appends: [StreamAppend]) throws(EventStoreError) -> AppendResult {
        try committer.appendBlocking(try prepare(appends)).get()
    }

    private func prepare(_ appends: [StreamAppend]) throws(EventStoreError) -> [StreamAppend] {
        if let appendRefusal { throw appendRefusal }
        try AppendValidation.validate(appends, limits: options.limits)
        return appends
    }

    /// Nothing to do: a commit returns once the server has made it durable.
    public func sync() throws(EventStoreError) {}

    /// What group commit has gathered since the store was opened.
    public var groupCommitStatistics: GroupCommitStatistics { committer.statistics.snapshot }

    // MARK: Waiting for commits

    /// A number that changes after every commit of this process, and after
    /// every notification of another process's commit.
    public var commitGeneration: UInt64 { notifier.generation }

    /// Suspends until a commit after `generation` (of any process that
    /// notified), until `timeout`, or until the task is cancelled.
    public func waitForCommit(after generation: UInt64, timeout: Duration) async {
        await notifier.wait(after: generation, timeout: timeout)
    }

    /// Runs `body` with a pooled connection, turning any failure into an
    /// ``EventStoreError``.
    func withSession<R>(_ operation: String, _ body: (PostgresSession) throws -> R) throws(EventStoreError) -> R {
        do {
            return try pool.withSession(body)
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .database("\(operation): \(PostgresSession.message(error))")
        }
    }
}
