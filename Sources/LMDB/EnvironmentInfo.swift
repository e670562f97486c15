import CLMDB
import Synchronization

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

/// The environment's size and reader figures, and the freeing of reader
/// slots that dead processes left taken.
extension Environment {
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
