import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport
import PostgresEventStore
import Synchronization
import Testing

/// A fresh job ledger under the system's temporary folder, removed when
/// the value is dropped.
final class TemporaryJobLedger: Sendable {
    let directory: String
    let path: String
    /// The database of this ledger when the tests run on PostgreSQL, made
    /// at the first open and kept for the ones after.
    private let database = Mutex<String?>(nil)

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
        switch TestBackend.current {
        case .lmdb:
            return try JobLedger(path: path, options: options)
        case .postgres:
            let url = try databaseURL()
            return try JobLedger(options: options) { (storeOptions) throws(EventStoreError) in
                try PostgresEventStore.open(url: url, options: storeOptions)
            }
        }
    }

    /// A store of the same ledger with no projections (and no fsync), as a
    /// program that is not the job ledger would open it.
    func openPlainStore() throws -> any EventStorage {
        switch TestBackend.current {
        case .lmdb: return try EventStore.open(at: path, options: .noSync)
        case .postgres: return try PostgresEventStore.open(url: databaseURL(), options: .noSync)
        }
    }

    /// This ledger's database on the test cluster, made at the first call.
    private func databaseURL() throws -> String {
        try database.withLock { url in
            if url == nil { url = try PostgresTestCluster.shared.freshLedgerURL() }
            return url!
        }
    }
}

/// The backend the job ledger's tests run on: LMDB unless
/// `JOBLEDGER_TEST_BACKEND=postgres`, which the test command sets for a
/// second run of this suite. Tests of what only LMDB has are enabled on
/// LMDB alone.
enum TestBackend {
    case lmdb, postgres

    static let current: TestBackend =
        ProcessInfo.processInfo.environment["JOBLEDGER_TEST_BACKEND"] == "postgres" ? .postgres : .lmdb

    /// A trait for tests of what only the LMDB store has (files, reader slots, pages).
    static var onLMDBOnly: ConditionTrait { .enabled(if: current == .lmdb, "LMDB only") }
}

let alice = Actor(id: "alice", role: .user, organisation: "acme")
let bob = Actor(id: "bob", role: .user, organisation: "acme")
let acmeAdmin = Actor(id: "root", role: .admin, organisation: "acme")
let otherAdmin = Actor(id: "eve", role: .admin, organisation: "globex")
