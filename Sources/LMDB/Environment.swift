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
    let gate = MapGate()
    /// Taken around every write transaction, when a lock file is configured.
    private let writerLock: WriterLock?
    /// The files a writable environment opened; checked before each commit.
    let openedFiles: OpenedFiles?
    let growthCount = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    let staleCleared = Atomic<Int>(0)

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

    deinit {
        close()
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

    /// Flushes buffers to disk; with `force`, even when opened without sync.
    public func sync(force: Bool = true) throws(LMDBError) {
        try check(mdb_env_sync(handle, force ? 1 : 0), "mdb_env_sync")
    }
}

/// How an attempt to begin a read transaction ended.
private enum ReadOutcome<R> {
    case finished(Result<R, any Error>)
    case mapResized
    case readersFull
}
