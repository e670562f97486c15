import EventStore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file `export --out` writes: refused when it is one of the ledger's
/// own files or exists already (unless forced), and written to a temporary
/// file beside it that takes its name only once the export is complete, so
/// a failed export leaves neither a half file nor a damaged old one.
struct ExportDestination {
    let path: String
    private let temporaryPath: String
    private let descriptor: Int32
    private var finished = false

    /// Checks `path` against the ledger at `ledgerPath` and opens the temporary file.
    init(path: String, ledgerPath: String, force: Bool) throws {
        try Self.refuseLedgerFiles(path, ledgerPath: ledgerPath)
        var status = stat()
        if lstat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR { throw CLIError.badInput("--out '\(path)' is a directory") }
            if !force { throw CLIError.badInput("--out '\(path)' exists; give --force to replace it") }
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial"
        // Exports hold every payload: readable by the owner alone, like the ledger.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CLIError.badInput("cannot create a file in '\(directory)' for --out: \(String(cString: strerror(errno)))")
        }
        self.path = path
        temporaryPath = temporary
        self.descriptor = descriptor
    }

    /// Refuses a path inside the ledger's directory, or one naming a file of
    /// the ledger through another name (a link).
    private static func refuseLedgerFiles(_ path: String, ledgerPath: String) throws {
        let ledger = URL(fileURLWithPath: ledgerPath).standardizedFileURL.resolvingSymlinksInPath().path
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        let parent = target.deletingLastPathComponent().path
        if target.path == ledger || parent == ledger || parent.hasPrefix(ledger + "/") {
            throw CLIError.badInput("--out '\(path)' is inside the ledger '\(ledgerPath)'; export to a file outside it")
        }
        var out = stat()
        guard stat(path, &out) == 0 else { return }
        for name in ["data.mdb", "lock.mdb", "writer.lock"] {
            var file = stat()
            if stat(ledgerPath + "/" + name, &file) == 0 && file.st_dev == out.st_dev && file.st_ino == out.st_ino {
                throw CLIError.badInput("--out '\(path)' is the ledger's own \(name); export to another file")
            }
        }
    }

    /// Appends bytes to the temporary file.
    func write(_ bytes: UnsafeRawBufferPointer) throws(CLIError) {
        try OutputWrites.write(bytes, to: descriptor, target: "--out '\(path)'")
    }

    /// Puts the export on disk, gives it its name, and flushes the
    /// directory so that the name survives a crash.
    mutating func finish() throws(CLIError) {
        let flushed = fsync(descriptor) == 0
        let flushError = errno
        close(descriptor)
        finished = true
        guard flushed else {
            unlink(temporaryPath)
            throw .output("cannot write --out '\(path)': \(String(cString: strerror(flushError)))")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw .output("cannot write --out '\(path)': \(reason)")
        }
        try? DescriptorWrites.flushDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Closes and removes the temporary file of an export that did not finish.
    func discard() {
        guard !finished else { return }
        close(descriptor)
        unlink(temporaryPath)
    }
}
