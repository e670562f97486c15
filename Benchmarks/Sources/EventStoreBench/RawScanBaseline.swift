import LMDB

/// The read baseline: a plain LMDB cursor walk over `count` values of
/// `valueBytes` bytes, in a raw environment of its own (LMDB allows one
/// environment per file per process, so the ledger's file is not reused).
enum RawScanBaseline {
    /// What one scan measured.
    struct Outcome: Sendable {
        /// Entries visited per second.
        var entriesPerSecond: Double
        /// `VmHWM` after the scan, with the peak reset just before it.
        var peakResidentBytes: Int?
        /// Resident set size when the peak was reset, just before the scan.
        var residentBeforeBytes: Int
        /// Size of the environment's data in bytes (pages in use).
        var dataBytes: Int
    }

    /// Writes the values quickly (no fsync, 10,000 puts per commit), then
    /// times one read transaction walking them with a cursor.
    static func run(at path: String, count: Int, valueBytes: Int) throws -> Outcome {
        var options = EnvironmentOptions()
        options.durable = false
        options.mapSize = max(64 << 20, count * (valueBytes + 64) * 2)
        let environment = try Environment(path: path, options: options)
        let database = try environment.openDatabase("events")
        try fill(environment, database, count: count, valueBytes: valueBytes)

        PeakMemory.resetPeak()
        let residentBefore = PeakMemory.resident ?? 0
        let stopwatch = Stopwatch()
        let (visited, checksum) = try RawCursorScan.scan(database, in: environment)
        let rate = stopwatch.rate(of: visited)
        let peak = PeakMemory.peakResident
        guard visited == count, checksum != 0 else {
            throw BenchError.verification("raw scan visited \(visited) of \(count) entries")
        }
        let info = environment.info()
        return Outcome(
            entriesPerSecond: rate, peakResidentBytes: peak, residentBeforeBytes: residentBefore,
            dataBytes: (info.lastPageNumber + 1) * info.pageSize)
    }

    private static func fill(_ environment: Environment, _ database: Database, count: Int, valueBytes: Int) throws {
        let value = [UInt8](repeating: 0x5A, count: valueBytes)
        var next = 1
        while next <= count {
            let first = next
            let last = min(count, next + 9_999)
            try environment.write { txn in
                try value.withUnsafeBytes { valueBytes in
                    for key in first...last {
                        try withBigEndianBytes(of: UInt64(key)) { keyBytes in
                            try txn.put(keyBytes, valueBytes, in: database, flags: .append)
                        }
                    }
                }
            }
            next = last + 1
        }
        try environment.sync(force: true)
    }
}
