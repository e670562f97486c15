import LMDB

/// Walks every entry of one database in a single snapshot, touching each
/// value's last byte so the pages are really read; the raw-read baseline.
enum RawCursorScan {
    /// Entries visited and a checksum that keeps the loop from being elided.
    static func scan(_ database: Database, in environment: Environment) throws -> (visited: Int, checksum: UInt64) {
        try environment.read { txn in
            try txn.withCursor(on: database) { cursor in
                var visited = 0
                var checksum: UInt64 = 0
                var entry = try cursor.first()
                while let current = entry {
                    checksum &+= current.key.loadBigEndianUInt64(at: 0) &+ UInt64(current.value[current.value.count - 1])
                    visited += 1
                    entry = try cursor.next()
                }
                return (visited, checksum)
            }
        }
    }
}
