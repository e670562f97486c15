import Foundation
import LMDB

/// The ledger file's pages and reader slots, as seen by every process that
/// has it open: what an operator needs to tell a stuck reader from a busy
/// ledger.
///
/// LMDB never overwrites a page that some snapshot may still read. While a
/// reader holds an old snapshot, every page freed since stays on the
/// freelist unused and the file grows instead; ``reusableFreePages`` stays
/// small while ``freePages`` grows, and ``oldestReader`` names the reader.
public struct StorageInfo: Sendable, Equatable {
    /// Size of a page in bytes.
    public let pageSize: Int
    /// Size of the memory map in bytes.
    public let mapSize: Int
    /// Pages up to the highest one ever written: the file's length in pages.
    public let filePages: Int
    /// Pages on LMDB's freelist, waiting to be reused; `nil` when no reader
    /// slot was free to read the freelist.
    public let freePages: Int?
    /// The free pages the next write may reuse: those freed before the
    /// oldest snapshot any reader holds. `nil` like ``freePages``.
    public let reusableFreePages: Int?
    /// The last committed transaction.
    public let lastTransactionID: Int
    /// Reader slots of the ledger, fixed by the first process that opened it.
    public let readerSlots: Int
    /// Slots taken now, by every process.
    public let readerSlotsInUse: Int
    /// Slots of dead processes this process has freed since it opened the
    /// ledger: on open, when the reader table was full, and just before
    /// taking these figures.
    public let staleReadersCleared: Int
    /// The reader holding the oldest snapshot, or `nil` when none is open.
    public let oldestReader: OldestReader?
    /// How much the file grew over the last hour, or `nil` when the ledger
    /// has no record of its size (written before sizes were sampled, or
    /// every reader slot was taken).
    public var growthLastHour: StorageGrowth?
    /// How much the file grew over the last day, like ``growthLastHour``.
    public var growthLastDay: StorageGrowth?

    /// Pages holding data (and the freelist's own pages): ``filePages``
    /// less ``freePages``.
    public var usedPages: Int? { freePages.map { filePages - $0 } }

    /// Creates the figures; ``EventStore/storageInfo()`` gathers them.
    public init(
        pageSize: Int, mapSize: Int, filePages: Int, freePages: Int?, reusableFreePages: Int?,
        lastTransactionID: Int, readerSlots: Int, readerSlotsInUse: Int, staleReadersCleared: Int,
        oldestReader: OldestReader?
    ) {
        self.pageSize = pageSize
        self.mapSize = mapSize
        self.filePages = filePages
        self.freePages = freePages
        self.reusableFreePages = reusableFreePages
        self.lastTransactionID = lastTransactionID
        self.readerSlots = readerSlots
        self.readerSlotsInUse = readerSlotsInUse
        self.staleReadersCleared = staleReadersCleared
        self.oldestReader = oldestReader
    }
}

/// How much the data file grew over a recent span of time, from the sizes
/// the appending transactions sample (see ``StorageInfo/growthLastHour``).
public struct StorageGrowth: Sendable, Equatable {
    /// Bytes the file grew by: pages added times the page size. Files of
    /// LMDB never shrink, so never negative.
    public let bytes: Int
    /// The span the figure covers, in seconds: the span asked for, or less
    /// when the record of sizes begins later (a young ledger, or one that
    /// began sampling recently). Accurate to the growth of one minute over
    /// the last hour, of one hour over the last day.
    public let overSeconds: Double

    /// Creates a figure; ``EventStore/storageInfo()`` gathers them.
    public init(bytes: Int, overSeconds: Double) {
        self.bytes = bytes
        self.overSeconds = overSeconds
    }
}

/// The reader that holds the oldest snapshot of the ledger.
public struct OldestReader: Sendable, Equatable {
    /// The process that holds it (possibly this one).
    public let processID: Int32
    /// The transaction whose snapshot it sees.
    public let snapshotTransactionID: Int
    /// Transactions committed since its snapshot: the pages they freed
    /// cannot be reused while it is held.
    public let commitsBehind: Int
    /// How long it has held the snapshot, or `nil` when the record of commit
    /// times could not be read.
    public let heldFor: ReaderAge?

    /// Creates a description; ``EventStore/storageInfo()`` gathers them.
    public init(processID: Int32, snapshotTransactionID: Int, commitsBehind: Int, heldFor: ReaderAge?) {
        self.processID = processID
        self.snapshotTransactionID = snapshotTransactionID
        self.commitsBehind = commitsBehind
        self.heldFor = heldFor
    }
}

/// How long a reader has held its snapshot, from the commit times the
/// ledger records (LMDB itself records no time for a reader).
///
/// The snapshot began after the commit it sees and before the next one
/// finished, so the reader is at least as old as that next commit. When the
/// record still has that commit, ``exact`` is true and ``atLeastSeconds``
/// is the age to within one commit's duration (milliseconds). Otherwise the
/// record only has later commits and ``atLeastSeconds`` is a lower bound;
/// the record reaches back about 16 million commits in coarsening steps.
public struct ReaderAge: Sendable, Equatable {
    /// The reader has held its snapshot at least this long. 0 for a reader
    /// of the newest snapshot (it holds nothing back).
    public let atLeastSeconds: Double
    /// The reader has held its snapshot at most this long, from the last
    /// recorded commit at or before its snapshot; `nil` when none is recorded.
    public let atMostSeconds: Double?
    /// Whether the first commit after the snapshot is on record, which makes
    /// ``atLeastSeconds`` the age rather than a bound.
    public let exact: Bool

    /// Creates an age.
    public init(atLeastSeconds: Double, atMostSeconds: Double?, exact: Bool) {
        self.atLeastSeconds = atLeastSeconds
        self.atMostSeconds = atMostSeconds
        self.exact = exact
    }
}

extension EventStore {
    /// The file's pages and the reader table, from every process that has
    /// the ledger open.
    ///
    /// Slots of dead processes are freed first. Reads the freelist and the
    /// record of commit times in one short snapshot; when every reader slot
    /// is taken it still answers, without the free pages and the age.
    public func storageInfo() throws(EventStoreError) -> StorageInfo {
        do {
            try environment.clearStaleReaders()
            // Listed before this call's own snapshot, which is not a reader to report.
            let slots = try environment.readerSlots()
            let environmentInfo = environment.info()
            let meta = layout.meta
            let snapshot: (freed: [FreedPages], marks: [CommitClock.Mark], sizes: [SizeSamples.Sample])?
            do {
                snapshot = try environment.read { txn in
                    (
                        try txn.freedPages(), try CommitClock.marks(in: txn, meta: meta),
                        try SizeSamples.samples(in: txn, meta: meta)
                    )
                }
            } catch let error as LMDBError where error.code == .readersFull {
                snapshot = nil
            }
            let now = Date().microsecondsSince1970
            let last = environmentInfo.lastTransactionID
            let oldest = slots
                .compactMap { slot in slot.transactionID.map { (slot.processID, $0) } }
                .min { $0.1 < $1.1 }
            // LMDB reuses pages freed by transactions before both the oldest
            // snapshot and the last commit (whose predecessor a new reader may still pick).
            let reusableBefore = min(oldest?.1 ?? last, last)
            func growth(overSeconds seconds: Int64) -> StorageGrowth? {
                guard let sizes = snapshot?.sizes,
                      let (pages, covered) = SizeSamples.growth(
                        overMicros: seconds * 1_000_000, samples: sizes,
                        currentPages: environmentInfo.lastPageNumber + 1, nowMicros: now)
                else { return nil }
                return StorageGrowth(bytes: pages * environmentInfo.pageSize, overSeconds: Double(covered) / 1e6)
            }
            var info = StorageInfo(
                pageSize: environmentInfo.pageSize,
                mapSize: environmentInfo.mapSize,
                filePages: environmentInfo.lastPageNumber + 1,
                freePages: snapshot.map { $0.freed.reduce(0) { $0 + $1.count } },
                reusableFreePages: snapshot.map { snapshot in
                    snapshot.freed.filter { $0.transactionID < reusableBefore }.reduce(0) { $0 + $1.count }
                },
                lastTransactionID: last,
                readerSlots: environmentInfo.maxReaders,
                readerSlotsInUse: slots.count,
                staleReadersCleared: environment.staleReadersCleared,
                oldestReader: oldest.map { processID, transactionID in
                    OldestReader(
                        processID: processID, snapshotTransactionID: transactionID,
                        commitsBehind: max(0, last - transactionID),
                        heldFor: snapshot.map { snapshot in
                            CommitClock.age(
                                ofSnapshot: transactionID, marks: snapshot.marks, lastTransactionID: last, nowMicros: now)
                        })
                })
            info.growthLastHour = growth(overSeconds: 3600)
            info.growthLastDay = growth(overSeconds: 86_400)
            return info
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// Frees the reader slots of processes that died while reading; returns
    /// how many. Opening the ledger and running out of slots do this too.
    @discardableResult
    public func clearStaleReaders() throws(EventStoreError) -> Int {
        do {
            return try environment.clearStaleReaders()
        } catch {
            throw EventStoreError.wrap(error)
        }
    }
}
