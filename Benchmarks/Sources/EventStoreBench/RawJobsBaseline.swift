import LMDB

/// Comparison workload 4 on raw LMDB: the least a durable job queue on LMDB
/// can do. A queue database (sequence number -> job id) and a state
/// database (job id -> state). A claim is one durable write transaction
/// that takes the first queue entry, deletes it and marks the job running;
/// a completion is one durable write transaction that marks it completed.
/// LMDB's writer lock serialises the workers, so nothing ever conflicts,
/// and nothing shares a commit: every claim and completion is an fsync.
final class RawJobsBaseline {
    private let environment: Environment
    private let queue: Database
    private let states: Database
    private var nextKey: UInt64 = 0
    private var round = 0
    private let workers: Int

    /// Opens a fresh durable environment at `path`.
    init(at path: String, workers: Int) throws {
        var options = EnvironmentOptions()
        options.durable = true
        options.mapSize = 256 << 20
        environment = try Environment(path: path, options: options)
        queue = try environment.openDatabase("queue")
        states = try environment.openDatabase("jobs")
        self.workers = workers
    }

    /// Queues `count` jobs (untimed), then lets the workers process them;
    /// returns the seconds of the processing.
    func run(_ count: Int) throws -> Double {
        round += 1
        let first = nextKey + 1
        let (round, queue, states) = (round, queue, states)
        try environment.write { txn in
            for index in 0..<count {
                let id = Array("r\(round)-\(index)".utf8)
                try withBigEndianBytes(of: first + UInt64(index)) { key in
                    try id.withUnsafeBytes { try txn.put(key, $0, in: queue, flags: .append) }
                }
                try txn.put(id, Array("pending".utf8), in: states)
            }
        }
        nextKey += UInt64(count)

        let environment = environment
        let processed = SharedCounter()
        let seconds = try ClientThreads.run(workers, name: "raw-worker") { worker in
            let running = Array("running:worker-\(worker)".utf8)
            let completed = Array("completed".utf8)
            var done = 0
            while true {
                let claimed: [UInt8]? = try environment.write { txn in
                    let head: (key: [UInt8], id: [UInt8])? = try txn.withCursor(on: queue) { cursor in
                        try cursor.first().map { (Array($0.key), Array($0.value)) }
                    }
                    guard let head else { return nil }
                    try txn.delete(head.key, in: queue)
                    try txn.put(head.id, running, in: states)
                    return head.id
                }
                guard let id = claimed else { break }
                try environment.write { txn in try txn.put(id, completed, in: states) }
                done += 1
            }
            processed.add(done)
        }
        guard processed.total == count else {
            throw BenchError.verification("raw LMDB workers processed \(processed.total) of \(count) jobs")
        }
        return seconds
    }
}
