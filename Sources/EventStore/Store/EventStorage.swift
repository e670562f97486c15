import Foundation

/// The storage contract of the ledger: what a backend must do so that the
/// job ledger, the command line and the server run on it unchanged.
///
/// ``EventStore`` (LMDB, embedded) implements it; a backend on a database
/// server implements the same requirements and runs the same test suite.
/// Every implementation keeps these promises:
///
/// - **Positions.** Every stored event has a global position: dense,
///   starting at 1, in commit order. A reader that saw position `n` has
///   seen every position below it, so followers never skip a late commit.
/// - **Appends.** An append of several streams is atomic: all of its
///   events are stored, or none. Each stream's ``ExpectedVersion`` is
///   checked in the same transaction as the write, by the rules of
///   ``ExpectedVersion/check(actual:typeAt:)``; a stream that moved on
///   refuses the append with ``EventStoreError/wrongExpectedVersion(stream:expected:actual:)``
///   and nothing is written. Appending event ids that are already stored,
///   to the same streams in the same order, is a no-op answering the
///   original positions (``AppendResult/wasAlreadyStored``).
/// - **Projections.** The projections of ``EventStoreOptions/projections``
///   see every appended event, in position order, inside the append's
///   transaction: a read after an append sees it in the projection tables.
///   They can be rebuilt from the log and checked against it.
/// - **Durability.** An append returns when its events are durable under
///   the store's durability, or refused. Many callers' appends may share a
///   transaction (group commit); each still succeeds or fails on its own.
/// - **Integrity.** Every read of an event checks its checksum; damage is
///   ``EventStoreError/checksumMismatch(position:stream:stored:computed:)``,
///   never an answer.
///
/// What only one backend has (LMDB's pages, map size and reader slots)
/// stays on that backend's type.
public protocol EventStorage: AnyObject, Sendable {
    /// The options the store was opened with: limits, projections, access.
    var options: EventStoreOptions { get }

    /// Where the store keeps its data, for people: a directory, or a
    /// database URL without its password.
    var locationDescription: String { get }

    /// Whether the synchronous calls wait on a network round trip rather
    /// than on memory and the local disk: async callers then run them on
    /// threads of their own, off Swift's cooperative pool.
    var callsWaitOnNetwork: Bool { get }

    // MARK: Appending

    /// Appends the events of one or more streams atomically, once they are
    /// durable; blocks the calling thread (never call it from async code).
    func append(_ appends: [StreamAppend]) throws(EventStoreError) -> AppendResult

    /// Appends the events of one or more streams atomically, suspending
    /// until they are durable.
    func append(_ appends: [StreamAppend]) async throws(EventStoreError) -> AppendResult

    /// Makes every committed event durable now: for stores whose
    /// durability lets commits return before they reach the disk.
    func sync() throws(EventStoreError)

    /// What group commit has gathered since the store was opened.
    var groupCommitStatistics: GroupCommitStatistics { get }

    // MARK: Reading the log

    /// The version of `streamID`: its number of events, 0 when it does not exist.
    func streamVersion(_ streamID: String) throws(EventStoreError) -> UInt64

    /// The position of the last stored event, 0 for an empty log.
    func lastPosition() throws(EventStoreError) -> UInt64

    /// The event at `position`, or `nil` when there is none.
    func event(at position: UInt64) throws(EventStoreError) -> RecordedEvent?

    /// Up to `limit` events of `streamID` from stream version `version`, in
    /// the given direction.
    func readStream(
        _ streamID: String, from version: UInt64, direction: ReadDirection, limit: Int
    ) throws(EventStoreError) -> [RecordedEvent]

    /// One page of the whole log from `position` on: up to `limit` events
    /// that pass `filter`, looking at no more than `scanLimit` events.
    func readAll(
        from position: UInt64, filter: EventFilter, limit: Int, scanLimit: Int
    ) throws(EventStoreError) -> ReadAllPage

    /// Calls `body` with each event from `position` on that passes `filter`,
    /// in position order, while it returns true; reads `chunkSize` events
    /// per snapshot. Returns the number of events passed to `body`.
    @discardableResult
    func forEachEvent(
        from position: UInt64, filter: EventFilter, chunkSize: Int, _ body: (RecordedEvent) throws -> Bool
    ) throws -> Int

    // MARK: Waiting for commits

    /// A number that changes after every commit of this process: read it,
    /// read the log, then wait with it, and no commit in between is missed.
    var commitGeneration: UInt64 { get }

    /// Suspends until a commit after `generation`, or until `timeout`.
    func waitForCommit(after generation: UInt64, timeout: Duration) async

    // MARK: Projections

    /// Runs `body` with read access to the projection tables, in one
    /// snapshot that includes every committed event.
    func readProjections<R>(_ body: (borrowing ProjectionReader) throws -> R) throws -> R

    /// Rebuilds every projection table from the log.
    func rebuildProjections(progress: ((UInt64) -> Void)?) throws(EventStoreError) -> RebuildReport

    /// Rebuilds the projections aside and lists where the live tables differ
    /// (at most `limit` differences).
    func verifyProjections(limit: Int) throws(EventStoreError) -> [ProjectionDifference]

    /// The projection version the tables were built by, and the current one.
    func projectionVersions() throws(EventStoreError) -> (stored: String?, current: String)

    // MARK: Proving the log

    /// Checks every event of the log (checksums, dense positions, stream
    /// versions); lists at most `limit` problems.
    func verifyLog(limit: Int) throws(EventStoreError) -> LogVerificationReport

    /// The digest of the log up to `position` (the last one when `nil`), or
    /// `nil` when `position` lies beyond the log.
    func digest(at position: UInt64?) throws(EventStoreError) -> LedgerDigest?

    // MARK: Keys of personal data

    /// The key of `owner`, existing or destroyed; `nil` when the owner
    /// never had one. Keys live outside the log and the projections.
    func personalDataKey(of owner: KeyOwner) throws(EventStoreError) -> PersonalDataKey?

    /// The owner's key: the existing one, or, when the owner has none or
    /// its key was destroyed, a new one (the next generation) made of
    /// `material` (``PersonalDataKey/materialLength`` bytes). A key it
    /// creates is durable when it returns, so nothing sealed under it can
    /// commit before it.
    func createPersonalDataKey(of owner: KeyOwner, material: [UInt8]) throws(EventStoreError) -> PersonalDataKey

    /// Destroys the owner's key, keeping its generation so that a later key
    /// is a new one; durable when it returns. Destroying again changes nothing.
    func destroyPersonalDataKey(of owner: KeyOwner) throws(EventStoreError) -> KeyDestruction

    // MARK: Retention

    /// Takes versions `1...throughVersion` of each removal's stream out of
    /// the live log and appends `appends`, all or nothing, keeping a record
    /// of each removed position (``EventStore/removeStreamPrefixes(_:appending:)``).
    @discardableResult
    func removeStreamPrefixes(
        _ removals: [StreamPrefixRemoval], appending appends: [StreamAppend]
    ) throws(EventStoreError) -> AppendResult

    /// Writes the events at `positions` as a chained JSON Lines archive
    /// (``EventStore/exportArchive(positions:write:)``).
    func exportArchive(positions: [UInt64], write: (UnsafeRawBufferPointer) throws -> Void) throws -> ArchiveSummary

    /// What the archived `position` held; `nil` when it holds an event or
    /// was never archived.
    func archivedPosition(_ position: UInt64) throws(EventStoreError) -> ArchivedPosition?

    // MARK: Moving events in and out

    /// Writes the selected events as text; returns how many were written.
    @discardableResult
    func exportEvents(
        format: ExportFormat, selection: ExportSelection, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int

    /// Writes the selected events, then the ones committed later, until the
    /// task is cancelled or the selection's end is written.
    @discardableResult
    func followEvents(
        format: ExportFormat, selection: ExportSelection, pollInterval: Duration,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> Int

    /// Appends an exported log read by ``EventStore/readImport(jsonLines:limits:)``,
    /// checking it first; nothing is written when any line is refused.
    @discardableResult
    func importEvents(_ batch: ImportBatch, dryRun: Bool) throws(ImportError) -> ImportReport
}

extension EventStore: EventStorage {
    /// The ledger directory.
    public var locationDescription: String { path }

    /// False: LMDB's reads come from memory.
    public var callsWaitOnNetwork: Bool { false }
}
