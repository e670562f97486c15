import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a path or descriptor names: its device and inode.
///
/// Two opens of one path name the same file only while nobody deleted or
/// replaced it in between; comparing identities is how an environment
/// notices that the file it holds open is no longer the one at its path.
struct FileIdentity: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the file open at `descriptor`, or `nil` when it cannot be read.
    init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identity of the file now at `path`, or `nil` when there is none.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// The files a writable environment opened, with their identities then.
///
/// LMDB keeps its reader table and writer mutex in the lock file, and the
/// writer lock serialises writers of every process. A process whose lock
/// file was deleted (or replaced) keeps using the old one while a process
/// opening the ledger afterwards creates a new one: two writers that no
/// longer see each other, whose commits overwrite each other's. Checking
/// before each commit turns that into a refusal instead of a lost write.
final class OpenedFiles: Sendable {
    struct Entry: Sendable {
        let name: String
        let path: String
        let identity: FileIdentity
    }

    let entries: [Entry]
    /// The directory holding every file, if one does: deleting, creating or
    /// renaming a file in it changes its modification time.
    let directory: String?
    /// The directory's modification time when every file last matched,
    /// kept only when that time was over a second older than the check.
    private let verifiedStamp = Mutex<timespec?>(nil)

    init(entries: [Entry], directory: String) {
        self.entries = entries
        let holdsAll = entries.allSatisfy { Self.parent(of: $0.path) == Self.parent(of: directory + "/x") }
        self.directory = holdsAll ? directory : nil
    }

    /// The directory part of `path`.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The first file whose path no longer names the file that was opened.
    ///
    /// One `stat` of the directory answers while its modification time is
    /// the one recorded at the last full check: no file was deleted,
    /// created or renamed in it since. File system timestamps are coarse
    /// (a clock tick of a few milliseconds), so a change in the same tick
    /// as the recorded time could leave it unchanged; a time is therefore
    /// recorded only when it was over a second old at the full check, after
    /// which every change gets a later time. Otherwise each file is `stat`ed.
    func replaced() -> Entry? {
        var info = stat()
        let stamp: timespec? = directory.flatMap { stat($0, &info) == 0 ? Self.modification(info) : nil }
        if let stamp, let verified = verifiedStamp.withLock({ $0 }), Self.same(stamp, verified) { return nil }
        let checkedAt = Self.now()
        if let entry = entries.first(where: { FileIdentity(path: $0.path) != $0.identity }) { return entry }
        if let stamp, checkedAt.tv_sec - stamp.tv_sec > 1 { verifiedStamp.withLock { $0 = stamp } }
        return nil
    }

    private static func modification(_ info: stat) -> timespec {
        #if canImport(Glibc)
        info.st_mtim
        #else
        info.st_mtimespec
        #endif
    }

    private static func same(_ a: timespec, _ b: timespec) -> Bool {
        a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec
    }

    private static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }
}
