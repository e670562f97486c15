import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A consistent copy of an environment, taken from one read snapshot while
/// writers go on.
extension Environment {
    /// Writes the environment as of one read snapshot to the file open as
    /// `descriptor`, which must be empty and positioned at its start.
    ///
    /// LMDB begins its own read transaction, so the copy holds exactly what
    /// was committed before it began, and writers (in this and other
    /// processes) go on while it runs. With `compact`, free pages are left
    /// out and pages renumbered: the copy is as small as its data.
    ///
    /// The copy holds this process's map gate shared for its whole length,
    /// like any reader, so a map resize in this process waits for it; run
    /// long copies from a process of their own (the command line does).
    /// Blocks the calling thread for the whole copy.
    public func copy(toDescriptor descriptor: Int32, compact: Bool) throws(LMDBError) {
        let flags = compact ? UInt32(MDB_CP_COMPACT) : 0
        while true {
            let rc = gate.shared { mdb_env_copyfd2(handle, descriptor, flags) }
            switch rc {
            case MDB_SUCCESS:
                return
            case MDB_MAP_RESIZED:
                // Another process grew the file: adopt its size, start over
                // on an emptied file.
                try adoptResizedMap()
                guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
                    throw LMDBError(rawCode: errno, operation: "mdb_env_copyfd2: emptying the copy to start again")
                }
            case MDB_READERS_FULL:
                if try clearStaleReaders() > 0 { continue }
                throw LMDBError(rawCode: rc, operation: "mdb_env_copyfd2", readerLimit: info().maxReaders)
            default:
                throw LMDBError(rawCode: rc, operation: "mdb_env_copyfd2")
            }
        }
    }
}
