import Foundation
import LMDB

/// What an upgrade of a ledger's on-disk format did
/// (``EventStore/upgradeFormat(at:backup:)``).
public struct FormatUpgradeReport: Sendable, Hashable {
    /// The ledger.
    public let path: String
    /// Its format before.
    public let fromFormat: Int
    /// Its format after.
    public let toFormat: Int
    /// The backup taken first; `nil` when the ledger was already current.
    public let backupPath: String?
    /// Events in the backup, every one checked.
    public let backupEvents: Int
    /// The SHA-256 digest of the backup's head (`jobledger digest`); `nil`
    /// for an empty ledger or when no backup was taken.
    public let backupDigest: String?

    /// Whether the format was raised (rather than found current).
    public var upgraded: Bool { fromFormat < toFormat }
}

extension EventStore {
    /// The on-disk format this build writes (and creates new ledgers in).
    public static var currentFormat: Int { Int(StoreLayout.formatVersion) }

    /// The on-disk format the ledger records.
    public func storedFormat() throws(EventStoreError) -> Int {
        do {
            guard let bytes = try environment.value(for: StoreLayout.formatKey, in: layout.meta), bytes.count == 1 else {
                throw EventStoreError.notALedger(path: path, reason: "its format record is malformed")
            }
            return Int(bytes[0])
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// Where ``upgradeFormat(at:backup:)`` backs up a ledger of `format`
    /// unless told otherwise: beside it, `DIR.format-1-backup`.
    public static func defaultUpgradeBackup(of path: String, format: Int) -> String {
        var directory = path
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        return directory + ".format-\(format)-backup"
    }

    /// Raises the ledger at `path` to ``currentFormat``: takes a
    /// consistent copy of it first (into `backup`, by default
    /// ``defaultUpgradeBackup(of:format:)``; refused when that exists),
    /// checks every event of the copy, then raises the format in one write
    /// transaction. A ledger already current is left alone (and no backup
    /// taken). Stop the ledger's writers first: what they append after the
    /// copy is in the ledger but not in the backup.
    ///
    /// - Throws: ``EventStoreError/Code/upgradeRefused`` when the ledger is
    ///   open in this process, the backup exists or fails its check;
    ///   ``EventStoreError/Code/notALedger`` for a newer format. Nothing
    ///   of the ledger is changed then.
    public static func upgradeFormat(at path: String, backup: String? = nil) throws(EventStoreError) -> FormatUpgradeReport {
        if isOpenInProcess(path) {
            throw .upgradeRefused(path: path, reason: "it is open in this process; close it first")
        }
        let (stored, backupPath, check) = try backUpForUpgrade(path, to: backup)
        guard let backupPath, let check else {
            return FormatUpgradeReport(
                path: path, fromFormat: stored, toFormat: stored, backupPath: nil, backupEvents: 0, backupDigest: nil)
        }
        var options = EventStoreOptions()
        options.upgradesFormat = true
        let raised = try EventStore.open(at: path, options: options).storedFormat()
        return FormatUpgradeReport(
            path: path, fromFormat: stored, toFormat: raised, backupPath: backupPath, backupEvents: check.events,
            backupDigest: check.digest)
    }

    /// Opens the ledger read-only and, when its format is older than this
    /// build's, copies it to the backup and checks the copy. The stores
    /// opened here are gone when it returns.
    private static func backUpForUpgrade(
        _ path: String, to backup: String?
    ) throws(EventStoreError) -> (format: Int, backup: String?, check: (events: Int, digest: String?)?) {
        var readOnly = EventStoreOptions()
        readOnly.readOnly = true
        let store = try EventStore.open(at: path, options: readOnly)
        let stored = try store.storedFormat()
        guard stored < currentFormat else { return (stored, nil, nil) }
        let target = backup ?? defaultUpgradeBackup(of: path, format: stored)
        if FileManager.default.fileExists(atPath: target) {
            throw .upgradeRefused(
                path: path,
                reason: "the backup '\(target)' exists already (from an earlier upgrade?): move it away, or name "
                    + "another place for the backup")
        }
        // The store's hot backup: one read snapshot of every database,
        // projections included, so the copy opens as the ledger did; then
        // every event of the copy is checked and its head's digest taken.
        let report: BackupReport
        do {
            report = try store.backup(to: target)
        } catch {
            throw .upgradeRefused(path: path, reason: "its backup to '\(target)' failed: \(error)")
        }
        return (stored, target, (report.events, report.digest.digest))
    }
}
