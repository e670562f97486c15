import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Environment {
    /// Writes a consistent copy of the environment into the directory
    /// `destination`, which must exist and be empty: LMDB copies from one
    /// read snapshot, so writers go on meanwhile. With `compact`, free pages
    /// are left out and the copy is renumbered (`MDB_CP_COMPACT`).
    package func copySnapshot(to destination: String, compact: Bool) throws(LMDBError) {
        let flags: UInt32 = compact ? UInt32(MDB_CP_COMPACT) : 0
        try gate.shared { () throws(LMDBError) in
            try check(mdb_env_copy2(handle, destination, flags), "mdb_env_copy2(\(destination))")
        }
    }
}
