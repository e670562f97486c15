import Foundation
import LMDB

extension EventStore {
    /// Writes a consistent copy of the ledger (one read snapshot, writers
    /// go on) into `directory`, which is created and must not exist yet;
    /// with `compact`, free pages are left out. The copy's files are
    /// readable by the owner alone, as the ledger's are.
    package func copySnapshot(to directory: String, compact: Bool) throws(EventStoreError) {
        // Created here, so an existing directory (or file) is refused with EEXIST.
        guard mkdir(directory, 0o700) == 0 else {
            throw .storage(LMDBError(rawCode: errno, operation: "mkdir(\(directory))"))
        }
        do {
            try environment.copySnapshot(to: directory, compact: compact)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw .wrap(error)
        }
        chmod(directory, 0o700)
        chmod(directory + "/data.mdb", 0o600)
    }
}
