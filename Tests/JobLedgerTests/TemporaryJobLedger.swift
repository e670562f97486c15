import EventStore
import Foundation
import JobLedger
import Synchronization

/// A fresh job ledger under the system's temporary folder, removed when
/// the value is dropped.
final class TemporaryJobLedger: Sendable {
    let directory: String
    let path: String

    init() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobledger-jobs-\(UUID().uuidString)").path
        path = directory + "/ledger"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A clock tests can move forward.
final class TestClock: Sendable {
    private let now: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { now = Mutex(start) }

    var current: Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
}

extension TemporaryJobLedger {
    /// Opens the ledger without fsync and, optionally, on a test clock.
    func open(clock: TestClock? = nil, configure: (inout JobLedgerOptions) -> Void = { _ in }) throws -> JobLedger {
        var options = JobLedgerOptions()
        options.store = .noSync
        if let clock { options.clock = { clock.current } }
        configure(&options)
        return try JobLedger(path: path, options: options)
    }
}

let alice = Actor(id: "alice", role: .user, organisation: "acme")
let bob = Actor(id: "bob", role: .user, organisation: "acme")
let acmeAdmin = Actor(id: "root", role: .admin, organisation: "acme")
let otherAdmin = Actor(id: "eve", role: .admin, organisation: "globex")
