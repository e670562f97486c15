import CLMDB
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open LMDB environment: one memory-mapped file shared by every
/// transaction of this process and of other processes that open it.
///
/// Transactions run inside closures: ``read(_:)`` for snapshots and
/// ``write(_:)`` for the single writer. A write that fills the map grows it
/// and runs the closure again, so callers never see `MDB_MAP_FULL` unless
/// ``EnvironmentOptions/maxMapSize`` is reached.
///
/// Open one `Environment` per file per process; LMDB's locking does not
/// allow the same file to be opened twice in one process.
public final class Environment: @unchecked Sendable {
    /// The directory (or file, for single-file environments) that was opened.
    public let path: String
    /// The options the environment was opened with.
    public let options: EnvironmentOptions

    let handle: OpaquePointer
    private let gate = MapGate()
    /// Taken around every write transaction, when a lock file is configured.
    private let writerLock: WriterLock?
    /// The files a writable environment opened; checked before each commit.
    private let openedFiles: OpenedFiles?
    private let growthCount = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let staleCleared = Atomic<Int>(0)

    /// Opens (creating when needed and allowed) the environment at `path`.
    ///
    /// Stale reader slots left by dead processes are cleared on open.
    public init(path: String, options: EnvironmentOptions = EnvironmentOptions()) throws(LMDBError) {
        self.path = path
        self.options = options
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(rawCode: ENOMEM, operation: "mdb_env_create") }
        var dead: Int32 = 0
        let files = Self.files(path: path, singleFile: options.singleFile)
        do throws(LMDBError) {
            try check(mdb_env_set_maxdbs(env, options.maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, options.maxReaders), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize")
            if !options.singleFile && !options.readOnly {
                if mkdir(path, mode_t(options.directoryMode)) == 0 {
                    // The umask applies to mkdir; the mode must not depend on it.
                    chmod(path, mode_t(options.directoryMode))
                } else if errno != EEXIST {
                    throw LMDBError(rawCode: errno, operation: "mkdir(\(path))")
                }
            }
            let created: [String] = [files.data, files.lock]
            let missing = created.filter { access($0, F_OK) != 0 }
            try check(mdb_env_open(env, path, options.rawFlags, mdb_mode_t(options.fileMode)), "mdb_env_open(\(path))")
            // LMDB creates its files with the mode less the umask; set it exactly.
            if !options.readOnly { for file in missing { chmod(file, mode_t(options.fileMode)) } }
            try Self.refuseTruncatedFile(env, path: path, singleFile: options.singleFile)
            try check(mdb_reader_check(env, &dead), "mdb_reader_check")
            try Self.leaveRoomToDouble(env, options: options)
        } catch {
            mdb_env_close(env)
            throw error
        }
        handle = env
        let lock = options.readOnly ? nil : options.writerLockFile.map { WriterLock(file: $0, mode: options.fileMode) }
        writerLock = lock
        openedFiles = options.readOnly
            ? nil
            : Self.identities(
                env, files: files, writerLock: lock, lockPath: options.writerLockFile,
                directory: options.singleFile ? OpenedFiles.parent(of: path) : path)
        staleCleared.store(Int(dead), ordering: .relaxed)
    }

    /// The data file and LMDB's lock file of an environment at `path`.
    private static func files(path: String, singleFile: Bool) -> (data: String, lock: String) {
        singleFile ? (path, path + "-lock") : (path + "/data.mdb", path + "/lock.mdb")
    }

    /// The identities of the files just opened: the data file by LMDB's own
    /// descriptor, the writer lock by its descriptor, LMDB's lock file by
    /// its path (LMDB does not hand out that descriptor; it was opened a
    /// moment ago).
    private static func identities(
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
    private func refuseReplacedFiles(_ operation: String) throws(LMDBError) {
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
    private func storageFull(_ error: any Error) -> LMDBError? {
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

    deinit {
        close()
    }

    /// Maps at least twice the bytes in use (within the configured maximum).
    ///
    /// A write that fills the map is run again from the start once the map
    /// has grown. For the appends of a running store that costs little, but
    /// a rebuild rewrites every projection in one transaction: opened with
    /// the default 256 MiB on a 600 MB ledger, each of the first rebuilds
    /// filled the map and ran twice. Mapping is address space, not disk: the
    /// file grows only as pages are written.
    private static func leaveRoomToDouble(_ env: OpaquePointer, options: EnvironmentOptions) throws(LMDBError) {
        guard !options.readOnly else { return }
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        var stat = MDB_stat()
        mdb_env_stat(env, &stat)
        let used = (info.me_last_pgno + 1) * Int(stat.ms_psize)
        let step = 1 << 20
        var wanted = (2 * used + step - 1) / step * step
        if let limit = options.maxMapSize { wanted = min(wanted, limit) }
        guard wanted > info.me_mapsize else { return }
        try check(mdb_env_set_mapsize(env, wanted), "mdb_env_set_mapsize(\(wanted))")
    }

    /// A data file shorter than the pages its meta page claims would make
    /// reads fault past its end (SIGBUS): refuse it with an error instead.
    private static func refuseTruncatedFile(_ env: OpaquePointer, path: String, singleFile: Bool) throws(LMDBError) {
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

    /// Closes the environment now rather than when the last reference goes.
    /// Only for owners that know no transaction can start afterwards.
    package func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        gate.exclusive { mdb_env_close(handle) }
    }

    /// Opens the named database, creating it when `flags` contains `.create`.
    ///
    /// The handle is opened in a transaction of its own that is committed,
    /// which is what makes it valid for later transactions.
    public func openDatabase(_ name: String, flags: DatabaseFlags = [.create]) throws(LMDBError) -> Database {
        // A writable environment opens databases in a write transaction.
        try lockingWrite(unless: options.readOnly) { () throws(LMDBError) -> Database in try openDatabaseUnlocked(name, flags: flags) }
    }

    private func openDatabaseUnlocked(_ name: String, flags: DatabaseFlags) throws(LMDBError) -> Database {
        try gate.shared { () throws(LMDBError) -> Database in
            var txn: OpaquePointer?
            let txnFlags = options.readOnly ? UInt32(MDB_RDONLY) : 0
            try check(mdb_txn_begin(handle, nil, txnFlags, &txn), "mdb_txn_begin(open \(name))")
            var dbi: MDB_dbi = 0
            let rc = mdb_dbi_open(txn, name, flags.rawValue, &dbi)
            guard rc == MDB_SUCCESS else {
                mdb_txn_abort(txn)
                throw LMDBError(rawCode: rc, operation: "mdb_dbi_open(\(name))")
            }
            if !options.readOnly {
                do throws(LMDBError) { try refuseReplacedFiles("opening database \(name)") } catch {
                    mdb_txn_abort(txn)
                    throw error
                }
            }
            try check(mdb_txn_commit(txn), "mdb_txn_commit(open \(name))")
            return Database(name: name, dbi: dbi)
        }
    }

    /// Runs `body` in a read-only snapshot and returns its result.
    ///
    /// The snapshot sees every transaction committed before it began, from
    /// this and other processes. Keep it short: while it lives, this process
    /// cannot grow the map, and no process can reuse the pages freed since.
    ///
    /// Each snapshot takes a slot of the reader table for its life. When
    /// every slot is taken, slots of dead processes are freed and the begin
    /// tried again; if none were, it throws ``LMDBError/Code/readersFull``
    /// with ``LMDBError/readerLimit`` set, and takes no slot.
    public func read<R>(_ body: (borrowing ReadTransaction) throws -> R) throws -> R {
        try runRead { txn in try body(ReadTransaction(handle: txn)) }
    }

    /// Runs `body` in the write transaction, committing when it returns and
    /// aborting when it throws.
    ///
    /// `body` may run more than once: when the map fills up it is grown and
    /// the transaction retried from the start. Keep `body` free of effects
    /// outside the transaction.
    public func write<R>(_ body: (borrowing WriteTransaction) throws -> R) throws -> R {
        try runWrite { txn, failure in try body(WriteTransaction(handle: txn, failure: failure)) }
    }

    private func runRead<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        while true {
            let outcome: ReadOutcome<R> = gate.shared {
                var txn: OpaquePointer?
                let rc = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
                if rc == MDB_MAP_RESIZED { return .mapResized }
                if rc == MDB_READERS_FULL { return .readersFull }
                if rc != MDB_SUCCESS {
                    return .finished(.failure(LMDBError(rawCode: rc, operation: "mdb_txn_begin(read)")))
                }
                defer { mdb_txn_abort(txn) }
                return .finished(Result { try body(txn!) })
            }
            switch outcome {
            case .finished(let result):
                return try result.get()
            case .mapResized:
                try adoptResizedMap()
            case .readersFull:
                // Slots of dead processes stay taken until someone checks:
                // free them and try again while that frees any.
                if try clearStaleReaders() > 0 { continue }
                throw LMDBError(
                    rawCode: MDB_READERS_FULL, operation: "mdb_txn_begin(read)", readerLimit: info().maxReaders)
            }
        }
    }

    /// Runs `body`, which begins and ends a write transaction, holding the
    /// writer lock (if any) unless `skipped`.
    private func lockingWrite<R, E: Error>(unless skipped: Bool = false, _ body: () throws(E) -> R) throws(E) -> R {
        guard let writerLock, !skipped else { return try body() }
        return try writerLock.withLock(body)
    }

    private func runWrite<R>(_ body: (OpaquePointer, WriteFailureFlag) throws -> R) throws -> R {
        try lockingWrite { () throws -> R in try runWriteUnlocked(body) }
    }

    private func runWriteUnlocked<R>(_ body: (OpaquePointer, WriteFailureFlag) throws -> R) throws -> R {
        while true {
            let failure = WriteFailureFlag()
            var resized = false
            let mapSizeBefore = currentMapSize
            let outcome: Result<R, any Error> = gate.shared {
                var txn: OpaquePointer?
                let rc = mdb_txn_begin(handle, nil, 0, &txn)
                if rc == MDB_MAP_RESIZED {
                    resized = true
                    return .failure(LMDBError(rawCode: rc, operation: "mdb_txn_begin(write)"))
                }
                if rc != MDB_SUCCESS {
                    return .failure(LMDBError(rawCode: rc, operation: "mdb_txn_begin(write)"))
                }
                let result: R
                do {
                    result = try body(txn!, failure)
                } catch {
                    mdb_txn_abort(txn)
                    return .failure(error)
                }
                do throws(LMDBError) { try refuseReplacedFiles("commit") } catch {
                    mdb_txn_abort(txn)
                    return .failure(error)
                }
                let commit = mdb_txn_commit(txn)
                if commit != MDB_SUCCESS {
                    failure.record(commit)
                    return .failure(LMDBError(rawCode: commit, operation: "mdb_txn_commit"))
                }
                return .success(result)
            }
            if case .success(let value) = outcome { return value }
            if resized {
                try adoptResizedMap()
            } else if failure.mapFull {
                try grow(from: mapSizeBefore)
            } else if case .failure(let error) = outcome, let full = storageFull(error) {
                throw full
            } else {
                return try outcome.get()
            }
        }
    }

    /// The current size of the memory map in bytes.
    public var currentMapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// How many times this process grew the map.
    public var growths: Int { growthCount.load(ordering: .relaxed) }

    private func grow(from sizeBefore: Int) throws(LMDBError) {
        try gate.exclusive { () throws(LMDBError) in
            let current = currentMapSize
            if current > sizeBefore { return }  // another thread grew it meanwhile
            var target = current * 2
            if let limit = options.maxMapSize {
                if current >= limit {
                    throw LMDBError(
                        rawCode: MDB_MAP_FULL,
                        operation: "map growth (map is at its configured maximum of \(limit) bytes)")
                }
                target = min(target, limit)
            }
            try check(mdb_env_set_mapsize(handle, target), "mdb_env_set_mapsize(\(target))")
            growthCount.add(1, ordering: .relaxed)
        }
    }

    private func adoptResizedMap() throws(LMDBError) {
        try gate.exclusive { () throws(LMDBError) in
            try check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize(adopt)")
        }
    }

    /// Drops the map pages between two addresses of values read from this
    /// environment out of this process's resident set.
    ///
    /// The map is read-only and backed by the file, so the pages stay in the
    /// OS cache and fault back in on the next access; a long sequential scan
    /// that releases what it has read keeps its resident memory flat instead
    /// of growing with the file. Call it only with addresses of values read
    /// from this environment, after the snapshot that read them ended.
    public func releaseMappedPages(from low: UnsafeRawPointer, through high: UnsafeRawPointer) {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: low) & ~(pageSize - 1)
        let end = (Int(bitPattern: high) + pageSize) & ~(pageSize - 1)
        guard end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { return }
        madvise(address, end - start, MADV_DONTNEED)
    }

    /// Flushes buffers to disk; with `force`, even when opened without sync.
    public func sync(force: Bool = true) throws(LMDBError) {
        try check(mdb_env_sync(handle, force ? 1 : 0), "mdb_env_sync")
    }

    /// Clears reader slots of processes that no longer exist; returns how many.
    @discardableResult
    public func clearStaleReaders() throws(LMDBError) -> Int {
        var dead: Int32 = 0
        try check(mdb_reader_check(handle, &dead), "mdb_reader_check")
        staleCleared.add(Int(dead), ordering: .relaxed)
        return Int(dead)
    }

    /// Reader slots of dead processes this environment has freed: on open,
    /// when the reader table was full, and through ``clearStaleReaders()``.
    public var staleReadersCleared: Int { staleCleared.load(ordering: .relaxed) }

    /// A snapshot of the environment's size and reader use.
    public func info() -> EnvironmentInfo {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return EnvironmentInfo(
            mapSize: info.me_mapsize,
            pageSize: Int(stat.ms_psize),
            lastPageNumber: info.me_last_pgno,
            lastTransactionID: info.me_last_txnid,
            maxReaders: Int(info.me_maxreaders),
            readersInUse: Int(info.me_numreaders)
        )
    }
}

/// How an attempt to begin a read transaction ended.
private enum ReadOutcome<R> {
    case finished(Result<R, any Error>)
    case mapResized
    case readersFull
}

/// Size and reader figures of an environment, from `mdb_env_info`.
public struct EnvironmentInfo: Sendable, Equatable {
    /// Size of the memory map in bytes.
    public let mapSize: Int
    /// Size of a database page in bytes.
    public let pageSize: Int
    /// Number of the last page in use; `(lastPageNumber + 1) * pageSize` bytes are used.
    public let lastPageNumber: Int
    /// ID of the last committed transaction.
    public let lastTransactionID: Int
    /// Maximum number of reader slots.
    public let maxReaders: Int
    /// Reader slots used so far (a high-water mark, not the live count).
    public let readersInUse: Int
}
