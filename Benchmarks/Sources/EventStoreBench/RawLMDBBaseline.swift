import LMDB

/// Write baselines measured on plain LMDB through the `LMDB` module, with no
/// event store in between: what the disk and LMDB allow on this machine.
///
/// Keys are big-endian `UInt64` counters stored with `MDB_APPEND`; values are
/// `valueBytes` bytes. Commits are durable (fsync on). The environment stays
/// open between calls to ``commit(_:putsPerCommit:)``, so a baseline can be
/// measured in rounds interleaved with the workload it is compared with.
final class RawLMDBBaseline {
    private let environment: Environment
    private let database: Database
    private let value: [UInt8]
    private var lastKey: UInt64 = 0

    /// Opens a fresh durable environment at `path`.
    init(at path: String, valueBytes: Int, expectedPuts: Int) throws {
        var options = EnvironmentOptions()
        options.durable = true
        options.mapSize = max(64 << 20, expectedPuts * (valueBytes + 64) * 2)
        environment = try Environment(path: path, options: options)
        database = try environment.openDatabase("bench")
        value = [UInt8](repeating: 0x5A, count: valueBytes)
    }

    /// The file's pages and the database's.
    func pageSnapshot() throws -> PageSnapshot { try environment.pageSnapshot([database]) }

    /// Runs `commits` durable commits of `putsPerCommit` appended puts each
    /// and returns the seconds they took.
    func commit(_ commits: Int, putsPerCommit: Int) throws -> Double {
        let stopwatch = Stopwatch()
        for _ in 0..<commits {
            let first = lastKey + 1
            try environment.write { txn in
                try value.withUnsafeBytes { valueBytes in
                    for key in first..<first + UInt64(putsPerCommit) {
                        try withBigEndianBytes(of: key) { keyBytes in
                            try txn.put(keyBytes, valueBytes, in: database, flags: .append)
                        }
                    }
                }
            }
            lastKey += UInt64(putsPerCommit)
        }
        return stopwatch.elapsedSeconds
    }
}
