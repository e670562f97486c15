import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory a backup is written into, and its data file while the copy
/// is being written.
///
/// The copy goes to `data.mdb.partial`, created exclusively with mode 0600
/// (a payload is readable by the ledger's owner alone, as in the ledger),
/// and is renamed to `data.mdb` only once written and flushed: a backup
/// that stopped half way can never be taken for a whole one.
struct BackupTarget {
    let directory: String
    var dataPath: String { directory + "/data.mdb" }
    var partialPath: String { directory + "/data.mdb.partial" }

    /// Prepares `directory`: created with mode 0700 when missing (with
    /// any missing folders above it, also 0700); an existing one must be an
    /// empty directory.
    static func prepare(_ directory: String) throws(EventStoreError) -> BackupTarget {
        guard !directory.isEmpty else { throw .backupFailed(path: directory, reason: "no directory was named") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .backupFailed(path: directory, reason: "it exists and is not a directory; a backup or restore needs a new or empty directory")
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["?"]
            guard entries.isEmpty else {
                throw .backupFailed(
                    path: directory,
                    reason: "the directory is not empty (it holds \(entries.count) entries); a backup or restore "
                        + "never overwrites anything: name a new or empty directory")
            }
        } else {
            // Missing folders above it are created owner-only too, as for a new ledger.
            do throws(DirectoryCreationFailure) {
                try LedgerDirectories.createParents(of: directory)
            } catch {
                throw .backupFailed(path: directory, reason: "could not create the directory: \(error)")
            }
            guard mkdir(directory, LedgerDirectories.mode) == 0 else {
                throw .backupFailed(path: directory, reason: "could not create the directory: \(String(cString: strerror(errno)))")
            }
            chmod(directory, LedgerDirectories.mode)
        }
        return BackupTarget(directory: directory)
    }

    /// Opens the partial data file for writing, exclusively, mode 0600.
    func openPartial() throws(EventStoreError) -> Int32 {
        let descriptor = open(partialPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .backupFailed(path: directory, reason: "could not create '\(partialPath)': \(String(cString: strerror(errno)))")
        }
        _ = fchmod(descriptor, 0o600)
        return descriptor
    }

    /// Flushes and closes the written copy, names it `data.mdb`, and
    /// flushes the directory so the name survives a crash.
    func seal(_ descriptor: Int32) throws(EventStoreError) {
        let flushed = fsync(descriptor) == 0
        let flushError = errno
        close(descriptor)
        guard flushed else {
            throw .backupFailed(path: directory, reason: "flushing the copy failed: \(String(cString: strerror(flushError)))")
        }
        guard rename(partialPath, dataPath) == 0 else {
            throw .backupFailed(path: directory, reason: "naming the copy failed: \(String(cString: strerror(errno)))")
        }
        try? DescriptorWrites.flushDirectory(directory)
    }

    /// Removes the partial file a failed copy left.
    func discardPartial() {
        unlink(partialPath)
    }

    /// Bytes written to the partial file so far.
    static func size(of descriptor: Int32) -> Int {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    }
}
