import LMDB

/// The named LMDB databases of a ledger and the keys they use.
///
/// - `events`: position (8 bytes BE) -> envelope, appended in order.
/// - `streams`: stream id (UTF-8) -> stream number (8 BE) + current version (8 BE).
/// - `streamIndex`: stream number (8 BE) + version (8 BE) -> position (8 BE).
/// - `eventIDs`: event id (16 bytes) -> position (8 BE).
/// - `meta`: `format` -> layout version; `nextStream` -> next stream number.
/// - `archived`: position (8 BE) -> version (8 BE) + stream id, for each
///   event moved out of the live log by retention (none until a scavenge).
///
/// Format 2 (format 1 with job events that may record a schema version
/// above 1, which a format-1 program would misread) is what this build
/// writes. A format-1 ledger is read as it is; opening it for writing is
/// refused until `jobledger upgrade` (``EventStore/upgradeFormat(at:backup:)``)
/// raised its format.
///
/// Format 3 is format 2 in which retention has moved events out of the
/// live log: positions and stream versions may have gaps that `archived`
/// accounts for, which a format-2 program would report as damage. A
/// scavenge raises a ledger to it; nothing else does.
///
/// Streams get dense integer numbers when first written, so index keys are
/// short and no two names can ever share a key.
struct StoreLayout: Sendable {
    static let formatVersion: UInt8 = 2
    /// The oldest format this build reads.
    static let oldestReadableFormat: UInt8 = 1
    /// The format of a ledger from which events were archived, the newest this build reads.
    static let archivedFormat: UInt8 = 3
    static let formatKey = Array("format".utf8)
    static let nextStreamKey = Array("nextStream".utf8)
    static let projectionVersionKey = Array("projectionVersion".utf8)

    let events: Database
    let streams: Database
    let streamIndex: Database
    let eventIDs: Database
    let meta: Database
    /// Positions whose events were archived; `nil` in a read-only ledger
    /// that never had any.
    let archived: Database?

    /// Opens (creating in a writable environment) the databases and checks
    /// the stored format version.
    ///
    /// A writable environment opened on a ledger of an older format is
    /// refused before anything is written, unless `upgrading`, which raises
    /// the format in one write transaction.
    static func open(in environment: Environment, path: String, upgrading: Bool = false) throws -> StoreLayout {
        let create: DatabaseFlags = environment.options.readOnly ? [] : [.create]
        let writable = !environment.options.readOnly
        // Check the format before creating anything, so a ledger written by
        // a newer version, or by an older one and opened for writing, is
        // refused without being touched.
        if let existingMeta = try? environment.openDatabase("meta", flags: []) {
            let stored = try environment.value(for: formatKey, in: existingMeta)
            if let stored { try checkFormat(stored, path: path, writable: writable && !upgrading) }
        }
        let layout: StoreLayout
        do throws(LMDBError) {
            layout = StoreLayout(
                events: try environment.openDatabase("events", flags: create),
                streams: try environment.openDatabase("streams", flags: create),
                streamIndex: try environment.openDatabase("streamIndex", flags: create),
                eventIDs: try environment.openDatabase("eventIDs", flags: create),
                meta: try environment.openDatabase("meta", flags: create),
                archived: writable
                    ? try environment.openDatabase("archived", flags: create)
                    : try? environment.openDatabase("archived", flags: []))
        } catch {
            if error.code == .notFound {
                throw EventStoreError.notALedger(path: path, reason: "it has no ledger databases")
            }
            throw error
        }
        let meta = layout.meta
        let stored = try environment.value(for: formatKey, in: meta)
        if let bytes = stored {
            try checkFormat(bytes, path: path, writable: writable && !upgrading)
            if upgrading && bytes[0] < formatVersion {
                try environment.write { (txn: borrowing WriteTransaction) throws -> Void in
                    try raiseFormat(in: txn, meta: meta, path: path)
                }
            }
        } else if environment.options.readOnly {
            throw EventStoreError.notALedger(path: path, reason: "it has no format version")
        } else {
            try environment.write { (txn: borrowing WriteTransaction) throws -> Void in
                try writeFormatIfMissing(in: txn, meta: meta)
            }
        }
        return layout
    }

    private static func writeFormatIfMissing(in txn: borrowing WriteTransaction, meta: Database) throws {
        if try txn.get(formatKey, in: meta) == nil {
            try txn.put(formatKey, [formatVersion], in: meta)
        }
    }

    /// Raises the stored format to ``formatVersion``, reading it again
    /// inside the transaction: another process may have raised it meanwhile.
    private static func raiseFormat(in txn: borrowing WriteTransaction, meta: Database, path: String) throws {
        guard let bytes = try txn.get(formatKey, in: meta) else {
            throw EventStoreError.notALedger(path: path, reason: "it has no format version")
        }
        try checkFormat(bytes, path: path, writable: false)
        if bytes[0] < formatVersion { try txn.put(formatKey, [formatVersion], in: meta) }
    }

    /// Refuses a malformed format record, a newer format, and an older one
    /// when the ledger is opened for `writable` use.
    private static func checkFormat(_ bytes: [UInt8], path: String, writable: Bool) throws {
        guard bytes.count == 1, bytes[0] >= oldestReadableFormat else {
            throw EventStoreError.notALedger(path: path, reason: "its format record is malformed")
        }
        guard bytes[0] <= archivedFormat else {
            throw EventStoreError.notALedger(
                path: path,
                reason: "it uses format \(bytes[0]), newer than format \(archivedFormat) that this build reads")
        }
        if writable && bytes[0] < formatVersion {
            throw EventStoreError.formatUpgradeNeeded(path: path, stored: Int(bytes[0]), current: Int(formatVersion))
        }
    }
}

/// A stream's number and current version, as stored in `streams`.
struct StreamRecord {
    let number: UInt64
    let version: UInt64

    init(number: UInt64, version: UInt64) {
        self.number = number
        self.version = version
    }

    init?(_ bytes: UnsafeRawBufferPointer?) {
        guard let bytes, bytes.count == 16 else { return nil }
        number = bytes.loadBigEndianUInt64(at: 0)
        version = bytes.loadBigEndianUInt64(at: 8)
    }
}
