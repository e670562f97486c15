import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of an environment: whole when opened, still the ones opened
/// at each commit, and a failed write that a full file system explains.
extension Environment {
    /// The data file and LMDB's lock file of an environment at `path`.
    static func files(path: String, singleFile: Bool) -> (data: String, lock: String) {
        singleFile ? (path, path + "-lock") : (path + "/data.mdb", path + "/lock.mdb")
    }

    /// The identities of the files just opened: the data file by LMDB's own
    /// descriptor, the writer lock by its descriptor, LMDB's lock file by
    /// its path (LMDB does not hand out that descriptor; it was opened a
    /// moment ago).
    static func identities(
        _ env: OpaquePointer, files: (data: String, lock: String), writerLock: WriterLock?, lockPath: String?,
        directory: String
    ) -> OpenedFiles {
        var entries: [OpenedFiles.Entry] = []
        var descriptor: mdb_filehandle_t = -1
        if mdb_env_get_fd(env, &descriptor) == MDB_SUCCESS, let identity = FileIdentity(descriptor: descriptor) {
            entries.append(.init(name: "data file", path: files.data, identity: identity))
        }
        if let identity = FileIdentity(path: files.lock) {
            entries.append(.init(name: "lock file", path: files.lock, identity: identity))
        }
        if let lockPath, let identity = writerLock?.identity {
            entries.append(.init(name: "writer lock", path: lockPath, identity: identity))
        }
        return OpenedFiles(entries: entries, directory: directory)
    }

    /// Refuses a commit when a file of the environment was deleted or
    /// replaced since it was opened: the commit would land where no other
    /// process looks, or race a writer this one can no longer see.
    func refuseReplacedFiles(_ operation: String) throws(LMDBError) {
        guard let entry = openedFiles?.replaced() else { return }
        throw LMDBError(
            code: .fileReplaced, rawCode: ESTALE,
            operation: "\(operation) in '\(path)': its \(entry.name) '\(entry.path)' was deleted or replaced since the "
                + "ledger was opened, so this process no longer shares locks with the others; nothing was written. "
                + "Stop every process of the ledger and open it again")
    }

    /// A failure of a write that a full file system explains, as
    /// ``LMDBError/Code/storageFull`` naming the path; otherwise `nil`.
    ///
    /// LMDB reports a short write as `EIO`, which is what a write that
    /// filled the disk returns: so an `EIO` counts as full when the file
    /// system has (almost) no room left afterwards.
    func storageFull(_ error: any Error) -> LMDBError? {
        guard let error = error as? LMDBError, case .system(let code) = error.code, code == ENOSPC || code == EIO else {
            return nil
        }
        var info = statvfs()
        let free = statvfs(path, &info) == 0 ? Int(info.f_bavail) * Int(info.f_frsize) : nil
        guard code == ENOSPC || (free.map { $0 < 1 << 20 } ?? false) else { return nil }
        let room = free.map { ", \($0) bytes free" } ?? ""
        return LMDBError(
            code: .storageFull, rawCode: ENOSPC,
            operation: "\(error.operation): the file system holding '\(path)' is full\(room); nothing was written")
    }

    /// A data file shorter than the pages its meta page claims would make
    /// reads fault past its end (SIGBUS): refuse it with an error instead.
    static func refuseTruncatedFile(_ env: OpaquePointer, path: String, singleFile: Bool) throws(LMDBError) {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        var stat = MDB_stat()
        mdb_env_stat(env, &stat)
        let needed = (info.me_last_pgno + 1) * Int(stat.ms_psize)
        let dataPath = singleFile ? path : path + "/data.mdb"
        #if canImport(Glibc)
        let descriptor = Glibc.open(dataPath, O_RDONLY)
        #else
        let descriptor = Darwin.open(dataPath, O_RDONLY)
        #endif
        guard descriptor >= 0 else { return }
        let size = lseek(descriptor, 0, SEEK_END)
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
        if size >= 0 && Int(size) < needed {
            throw LMDBError(
                rawCode: MDB_CORRUPTED,
                operation: "open(\(path)): the data file is \(size) bytes but its pages need \(needed); it was truncated")
        }
    }
}
