import CLMDB
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The size of the memory map: room to grow on open, growth when a write
/// fills it, adopting a size another process set, and pages let go.
extension Environment {
    /// Maps at least twice the bytes in use (within the configured maximum).
    ///
    /// A write that fills the map is run again from the start once the map
    /// has grown. For the appends of a running store that costs little, but
    /// a rebuild rewrites every projection in one transaction: opened with
    /// the default 256 MiB on a 600 MB ledger, each of the first rebuilds
    /// filled the map and ran twice. Mapping is address space, not disk: the
    /// file grows only as pages are written.
    static func leaveRoomToDouble(_ env: OpaquePointer, options: EnvironmentOptions) throws(LMDBError) {
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

    /// The current size of the memory map in bytes.
    public var currentMapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// How many times this process grew the map.
    public var growths: Int { growthCount.load(ordering: .relaxed) }

    func grow(from sizeBefore: Int) throws(LMDBError) {
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

    func adoptResizedMap() throws(LMDBError) {
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
}
