import EventStore
import Foundation

/// The archive file of a scavenge: written aside, flushed, then linked
/// under its name (which, unlike a rename, never replaces a file that
/// appeared there meanwhile) and its directory flushed, so a file under the
/// archive's name is always whole and its name survives a crash before the
/// ledger forgets the events it holds.
enum RetentionArchiveFile {
    /// Refuses a path that exists or whose directory does not.
    static func checkNew(_ path: String) throws(JobLedgerError) {
        guard !path.isEmpty else { throw .invalidInput(field: "archive", reason: "is empty") }
        let manager = FileManager.default
        guard !manager.fileExists(atPath: path) else {
            throw .invalidInput(field: "archive", reason: "'\(path)' exists; an archive is never overwritten")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidInput(field: "archive", reason: "the directory '\(directory)' does not exist")
        }
    }

    /// Writes the file through `body`'s writer and returns what it returned.
    static func write(
        to path: String, _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> ArchiveSummary
    ) throws(JobLedgerError) -> ArchiveSummary {
        let partial = path + ".partial"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .invalidInput(field: "archive", reason: "cannot create '\(partial)': \(String(cString: strerror(errno)))")
        }
        let summary: ArchiveSummary
        do {
            summary = try body { bytes in
                do throws(SystemCallFailure) {
                    try DescriptorWrites.writeAll(bytes, to: descriptor)
                } catch {
                    throw JobLedgerError.invalidInput(field: "archive", reason: "cannot write '\(partial)': \(error.reason)")
                }
            }
            guard fsync(descriptor) == 0 else {
                throw JobLedgerError.invalidInput(
                    field: "archive", reason: "cannot flush '\(partial)': \(String(cString: strerror(errno)))")
            }
        } catch {
            close(descriptor)
            unlink(partial)
            throw JobLedger.wrap(error)
        }
        close(descriptor)
        let named = link(partial, path) == 0
        let linkError = errno
        unlink(partial)
        guard named else {
            let reason = linkError == EEXIST
                ? "'\(path)' appeared meanwhile; an archive is never overwritten" : String(cString: strerror(linkError))
            throw .invalidInput(field: "archive", reason: "cannot name the archive: \(reason)")
        }
        try? DescriptorWrites.flushDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        return summary
    }

    /// Deletes an archive that stands for nothing.
    static func remove(_ path: String) {
        unlink(path)
    }
}
