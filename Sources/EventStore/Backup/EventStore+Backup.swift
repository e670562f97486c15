import Dispatch
import Foundation
import LMDB
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hot backup and restore: a consistent copy of the ledger taken from one
/// read snapshot while writers go on, checked before it is called done.
extension EventStore {
    /// Copies the ledger, as of one read snapshot, into `directory` (new or
    /// empty), then opens the copy read-only and checks it: every event's
    /// envelope and checksum, dense positions and stream versions, and the
    /// digest chain up to its last position.
    ///
    /// Writers in this and other processes go on while the copy runs; the
    /// copy holds exactly what was committed before it began, so every
    /// append acknowledged before the call is in it. With `compact`, free
    /// pages are left out: the copy is as small as the data it holds, and
    /// opening it in place of the ledger gives the space back.
    ///
    /// Blocks the calling thread for the whole copy and check (minutes for
    /// a large ledger): call it from a thread of its own, not from the
    /// cooperative pool. While it runs, this process cannot grow the map
    /// (LMDB resizes only with no transaction open), so a backup of a busy
    /// ledger is best taken by a process of its own, as `jobledger backup`
    /// does. `progress`, when given, is called on the calling thread a few
    /// times a second and once at the end of the copy.
    ///
    /// - Throws: ``EventStoreError/Code/backupFailed`` when the directory is
    ///   not new or empty, the copy could not be written, or the check of
    ///   the copy found a problem (the copy is then renamed
    ///   `data.mdb.unverified`, so it cannot be opened by mistake). The
    ///   ledger itself is never changed.
    public func backup(
        to directory: String, compact: Bool = false, progress: ((BackupProgress) -> Void)? = nil
    ) throws(EventStoreError) -> BackupReport {
        let target = try BackupTarget.prepare(directory)
        let descriptor = try target.openPartial()
        let info = environment.info()
        let expected = (info.lastPageNumber + 1) * info.pageSize
        let outcome = CopyOutcome()
        let environment = self.environment
        Thread {
            let result: Result<Void, LMDBError>
            do throws(LMDBError) {
                try environment.copy(toDescriptor: descriptor, compact: compact)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            outcome.finish(result)
        }.start()
        while !outcome.wait(seconds: 0.25) {
            progress?(BackupProgress(bytesWritten: BackupTarget.size(of: descriptor), bytesExpected: expected))
        }
        let written = BackupTarget.size(of: descriptor)
        if case .failure(let error)? = outcome.result {
            close(descriptor)
            target.discardPartial()
            throw .backupFailed(path: directory, reason: "copying the ledger failed: \(error)")
        }
        progress?(BackupProgress(bytesWritten: written, bytesExpected: expected))
        try target.seal(descriptor)
        return try Self.checkCopy(at: directory, bytes: written, compacted: compact)
    }

    /// Restores the backup in `backup` into `path` (new or empty): checks
    /// the backup, copies it, and checks the copy, whose digest must be the
    /// backup's. The restored ledger opens like any other.
    ///
    /// Opening the backup directory itself as the ledger works too; a
    /// restore keeps the backup as it was for the next time.
    ///
    /// - Throws: ``EventStoreError/Code/backupFailed`` naming what was wrong:
    ///   no backup at `backup`, a backup that fails its check, a `path`
    ///   that is not new or empty, or a copy that differs.
    public static func restore(
        from backup: String, to path: String, progress: ((BackupProgress) -> Void)? = nil
    ) throws(EventStoreError) -> BackupReport {
        let target = BackupTarget(directory: backup)
        guard FileManager.default.fileExists(atPath: target.dataPath) else {
            throw .backupFailed(path: backup, reason: "it holds no data.mdb, so it is no backup of a ledger")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target.dataPath)[.size] as? Int) ?? 0
        let source = try checkCopy(at: backup, bytes: size, compacted: false, renameWhenDamaged: false)
        let restored = try withBackupOpen(backup) { (store) throws(EventStoreError) in
            try store.backup(to: path, compact: false, progress: progress)
        }
        guard restored.digest == source.digest else {
            throw .backupFailed(
                path: path,
                reason: "the restored copy's digest \(restored.digest.digest) at position \(restored.digest.position) "
                    + "differs from the backup's \(source.digest.digest) at \(source.digest.position)")
        }
        return restored
    }

    /// Opens the copy in `directory` read-only, checks every event and
    /// computes its digest; removes the lock file the opening created.
    static func checkCopy(
        at directory: String, bytes: Int, compacted: Bool, renameWhenDamaged: Bool = true
    ) throws(EventStoreError) -> BackupReport {
        let (report, digest) = try withBackupOpen(directory) { (copy) throws(EventStoreError) in
            (try copy.verifyLog(limit: 10), try copy.digest())
        }
        guard report.isClean, let digest else {
            let target = BackupTarget(directory: directory)
            if renameWhenDamaged { rename(target.dataPath, target.dataPath + ".unverified") }
            let problems = report.problems.prefix(3).map(String.init(describing:)).joined(separator: "; ")
            throw .backupFailed(
                path: directory,
                reason: "the copy fails its check (\(problems))"
                    + (renameWhenDamaged ? "; it was kept as data.mdb.unverified" : "")
                    + "; the ledger it came from likely holds the same damage: run `jobledger verify` on it")
        }
        return BackupReport(path: directory, bytes: bytes, compacted: compacted, events: report.events, digest: digest)
    }

    /// Runs `body` on the ledger in `directory` opened read-only, and
    /// removes the lock file that opening created, if it did.
    private static func withBackupOpen<R>(
        _ directory: String, _ body: (EventStore) throws(EventStoreError) -> R
    ) throws(EventStoreError) -> R {
        let lockPath = directory + "/lock.mdb"
        let hadLock = FileManager.default.fileExists(atPath: lockPath)
        defer { if !hadLock { unlink(lockPath) } }
        var options = EventStoreOptions()
        options.readOnly = true
        // Opened and dropped in here, so that the environment is closed
        // before the lock file goes.
        return try { () throws(EventStoreError) -> R in
            let store = try EventStore.open(at: directory, options: options)
            return try body(store)
        }()
    }
}

/// The result of a copy running on its own thread.
private final class CopyOutcome: Sendable {
    private let state = Mutex<Result<Void, LMDBError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func finish(_ result: Result<Void, LMDBError>) {
        state.withLock { $0 = result }
        done.signal()
    }

    /// Waits up to `seconds`; true once the copy has finished.
    func wait(seconds: Double) -> Bool {
        if done.wait(timeout: .now() + seconds) == .success {
            done.signal()
            return true
        }
        return false
    }

    var result: Result<Void, LMDBError>? { state.withLock { $0 } }
}
