import Dispatch
import Foundation
import LMDB
import Synchronization

/// An append-only log of events in streams, stored in LMDB.
///
/// Appends go through group commit: concurrent callers share write
/// transactions and fsyncs, and each call returns only when its events are
/// durable (or refused). Reads use LMDB snapshots and never wait for writers.
///
/// Several processes may open the same ledger and append at once; within a
/// process, ``open(at:options:)`` returns the store that is already open for
/// a path, since LMDB allows one environment per file per process.
///
/// ```swift
/// let store = try EventStore.open(at: "/var/lib/jobs.ledger")
/// let result = try await store.append(
///     to: "job-42", expectedVersion: .noStream,
///     events: [EventData(type: "JobSubmitted", json: #"{"type":"email"}"#)])
/// ```
public final class EventStore: Sendable {
    /// The ledger directory.
    public let path: String
    /// The options the store was opened with.
    public let options: EventStoreOptions

    let environment: Environment
    let layout: StoreLayout
    let projectionTables: ProjectionTables
    let scratchTables: ProjectionTables
    /// The keys of personal data (see ``PersonalDataKey``); `nil` in a
    /// read-only store of a ledger that never had one.
    let personalKeys: Database?
    /// Set when the ledger's projections are maintained by code this store
    /// was not opened with (appending would leave them stale), or when the
    /// store is read-only.
    let appendRefusal: EventStoreError?
    /// Set for a read-only store whose projection tables are stale or
    /// missing: it cannot rebuild them, and must not answer from them.
    let projectionRefusal: EventStoreError?
    let notifier: CommitNotifier
    private let committer: GroupCommitter

    private let registryKey: String

    /// Stores open in this process, by canonical path, with their environment.
    private static let openStores = Mutex<[String: RegistryEntry]>([:])

    /// Opens the ledger at `path`, creating the directory and databases when
    /// they do not exist (and, unless read-only, the missing folders above
    /// it, owner-only like the ledger's directory).
    ///
    /// Within one process a path is opened once: while a store for it is
    /// alive, `open` returns that store (opening it with another durability
    /// is an error).
    public static func open(at path: String, options: EventStoreOptions = EventStoreOptions()) throws(EventStoreError) -> EventStore {
        let key = canonicalPath(path)
        let (store, existing) = try openStores.withLock { (stores) throws(EventStoreError) -> (EventStore, Bool) in
            if let store = stores[key]?.store { return (store, true) }
            // A store of this path may be closing right now: reuse its
            // environment rather than open the file a second time.
            let store = try EventStore(path: path, key: key, options: options, environment: stores[key]?.environment)
            stores[key] = RegistryEntry(store: store, environment: store.environment)
            return (store, false)
        }
        // Checked outside the lock: dropping `store` may run its deinit, which takes the lock.
        // A read-only open is served by whatever store is open; a writable
        // one cannot be served by a read-only store.
        if existing && options.readOnly { return store }
        if existing && store.options.readOnly {
            throw .readOnly(path: path, reason: "it is already open read-only in this process; close that store first")
        }
        if existing && store.options.durability != options.durability {
            throw .invalidAppend(reason: "'\(path)' is already open in this process with durability \(store.options.durability)")
        }
        return store
    }

    private init(path: String, key: String, options: EventStoreOptions, environment reused: Environment?) throws(EventStoreError) {
        self.path = path
        self.registryKey = key
        self.options = options
        var environmentOptions = EnvironmentOptions()
        environmentOptions.mapSize = options.initialMapSize
        environmentOptions.maxMapSize = options.maxMapSize
        environmentOptions.maxReaders = options.maxReaders
        environmentOptions.maxDatabases = 64
        environmentOptions.durable = options.durability == .durable
        environmentOptions.readOnly = options.readOnly
        // Every write transaction of every process, opening the databases
        // included, takes this lock first (see EnvironmentOptions).
        environmentOptions.writerLockFile = path + "/writer.lock"
        var missingTables: Set<String> = []
        // The stored projection version, and the projections as they built
        // those tables when this code still reads them: read once here.
        var stored: String?
        var asBuilt: [any Projection]?
        do {
            let environment: Environment
            if let reused, reused.options.durable == environmentOptions.durable,
                reused.options.readOnly == environmentOptions.readOnly
            {
                environment = reused
            } else if reused != nil {
                throw EventStoreError.invalidAppend(reason: "'\(path)' is closing with another durability or access; open it again")
            } else {
                if !options.readOnly {
                    // A new ledger's missing parent folders are created
                    // owner-only, as its own directory is (LMDB's mkdir).
                    do throws(DirectoryCreationFailure) {
                        try LedgerDirectories.createParents(of: path)
                    } catch {
                        throw LMDBError(rawCode: error.failure.code, operation: "mkdir(\(error.path))")
                    }
                }
                environment = try Environment(path: path, options: environmentOptions)
            }
            self.environment = environment
            layout = try StoreLayout.open(in: environment, path: path, upgrading: options.upgradesFormat)
            var databases: [String: Database] = [:]
            var scratch: [String: Database] = [:]
            // A read-only open reads the tables of the version that built
            // them, when these projections still answer from them
            // (``Projection/asBuilt(byVersion:)``), and only those: a table
            // of a later version left from an earlier build is not read.
            stored = try Self.storedProjectionVersion(environment, layout)
            asBuilt = Self.projections(asBuiltBy: stored, from: options.projections)
            let readTables = options.readOnly ? (asBuilt ?? options.projections) : options.projections
            for table in readTables.flatMap(\.tables).map(\.name) {
                if options.readOnly {
                    // Nothing can be created; a missing table means the projections were never built.
                    databases[table] = try Self.existingDatabase(ProjectionTables.prefix + table, in: environment)
                    if databases[table] == nil { missingTables.insert(table) }
                } else {
                    databases[table] = try environment.openDatabase(ProjectionTables.prefix + table)
                    scratch[table] = try environment.openDatabase(ProjectionTables.scratchPrefix + table)
                }
            }
            projectionTables = ProjectionTables(databases: databases)
            personalKeys = options.readOnly
                ? try Self.existingDatabase(Self.personalKeysName, in: environment)
                : try environment.openDatabase(Self.personalKeysName)
            scratchTables = ProjectionTables(databases: scratch)
        } catch {
            if let error = error as? LMDBError, error.code == .invalid || error.code == .versionMismatch {
                throw .notALedger(path: path, reason: error.message)
            }
            if let error = error as? LMDBError, error.code == .corrupted {
                throw .notALedger(path: path, reason: error.operation)
            }
            throw EventStoreError.wrap(error)
        }
        let notifier = CommitNotifier()
        self.notifier = notifier
        let current = Self.projectionVersion(of: options.projections)
        appendRefusal = options.appendRefusal(location: path, storedProjections: stored)
        // Read-only, the tables built by an older version are read as they
        // are when every table that version wrote is there; a table only a
        // later version has is not open, and reading it says so.
        if options.readOnly && !options.projections.isEmpty
            && (asBuilt == nil || !missingTables.isEmpty) {
            projectionRefusal = .readOnly(
                path: path,
                reason: "its projections were built by other code (\(stored ?? "never built")) and a read-only open cannot "
                    + "rebuild them; run `jobledger rebuild` once with write access")
        } else {
            projectionRefusal = nil
        }
        if !options.readOnly && !options.projections.isEmpty && stored != current {
            // Built by other projection code, or never built: replay the log.
            _ = try Self.rebuild(
                environment: environment, layout: layout, tables: projectionTables, projections: options.projections,
                progress: nil)
        }
        // Last, and nothing throws after it: a store whose init failed never
        // runs deinit (which takes the registry lock that `open` holds).
        let environment = self.environment, layout = self.layout
        let projections = options.projections, tables = projectionTables
        committer = GroupCommitter(maxEventsPerCommit: options.maxEventsPerCommit, onCommit: { notifier.notify() }) {
            LMDBBatchWriter(environment: environment, layout: layout, projections: projections, tables: tables, path: path)
        }
    }

    /// The named database, or `nil` when the ledger has none of that name.
    private static func existingDatabase(_ name: String, in environment: Environment) throws(LMDBError) -> Database? {
        do {
            return try environment.openDatabase(name, flags: [])
        } catch {
            if error.code == .notFound { return nil }
            throw error
        }
    }

    private static func storedProjectionVersion(_ environment: Environment, _ layout: StoreLayout) throws(EventStoreError) -> String? {
        do {
            return try environment.value(for: StoreLayout.projectionVersionKey, in: layout.meta)
                .map { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    deinit {
        let key = registryKey
        let environment = environment
        let committer = committer
        Self.openStores.withLock { stores in
            committer.stop()
            // Close the file now unless a new store of the path took over
            // the environment; then no second environment can ever coexist.
            if stores[key]?.store == nil {
                stores[key] = nil
                environment.close()
            }
        }
    }

    /// Whether a store of `path` is open in this process.
    static func isOpenInProcess(_ path: String) -> Bool {
        let key = canonicalPath(path)
        return openStores.withLock { $0[key]?.store != nil }
    }

    private static func canonicalPath(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        return url.path
    }

    // MARK: Appending

    /// Appends events to one or more streams, all or none, and waits until
    /// they are durable.
    ///
    /// - Throws: ``EventStoreError/wrongExpectedVersion(stream:expected:actual:)``
    ///   when a stream moved on since the caller read it, and the other cases
    ///   of ``EventStoreError`` for bad input or storage failures. Nothing is
    ///   written when it throws.
    public func append(_ appends: [StreamAppend]) async throws(EventStoreError) -> AppendResult {
        try await committer.append(try prepare(appends)).get()
    }

    /// Appends events to one or more streams, blocking the calling thread
    /// until they are durable. See ``append(_:)-async``.
    public func append(_ appends: [StreamAppend]) throws(EventStoreError) -> AppendResult {
        try committer.appendBlocking(try prepare(appends)).get()
    }

    /// Appends `events` to one stream and waits until they are durable.
    public func append(
        to streamID: String, expectedVersion: ExpectedVersion, events: [EventData]
    ) async throws(EventStoreError) -> AppendResult {
        try await append([StreamAppend(streamID: streamID, expectedVersion: expectedVersion, events: events)])
    }

    /// Appends `events` to one stream, blocking until they are durable.
    public func append(
        to streamID: String, expectedVersion: ExpectedVersion, events: [EventData]
    ) throws(EventStoreError) -> AppendResult {
        try append([StreamAppend(streamID: streamID, expectedVersion: expectedVersion, events: events)])
    }

    private func prepare(_ appends: [StreamAppend]) throws(EventStoreError) -> [StreamAppend] {
        if let appendRefusal { throw appendRefusal }
        try AppendValidation.validate(appends, limits: options.limits)
        return appends
    }

    /// Writes every committed append to disk and waits until it is there.
    ///
    /// A durable store (the default) never needs this: each append returns
    /// once it is on disk. A store opened with ``EventStoreOptions/noSync``
    /// (bulk loads, tests, benchmarks) leaves its commits in the page cache
    /// until this is called or the system writes them back, and the next
    /// durable commit of any process would otherwise pay for all of them.
    public func sync() throws(EventStoreError) {
        do {
            try environment.sync(force: true)
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// What group commit has gathered since the store was opened.
    public var groupCommitStatistics: GroupCommitStatistics { committer.statistics.snapshot }

    /// How many times this process grew the memory map.
    public var mapGrowths: Int { environment.growths }

    /// Size and reader figures of the underlying LMDB environment.
    public var environmentInfo: EnvironmentInfo { environment.info() }
}

private struct RegistryEntry {
    weak var store: EventStore?
    let environment: Environment
}
