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
struct OpenedFiles: Sendable {
    struct Entry: Sendable {
        let name: String
        let path: String
        let identity: FileIdentity
    }

    let entries: [Entry]

    /// The first file whose path no longer names the file that was opened.
    func replaced() -> Entry? {
        entries.first { FileIdentity(path: $0.path) != $0.identity }
    }
}
