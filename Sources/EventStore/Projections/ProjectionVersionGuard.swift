import LMDB

/// The projection version a writing store indexes by, checked against the
/// ledger's stored one inside each write transaction that applies the
/// projections.
///
/// The version is compared when a store opens, and a store whose version
/// differs rebuilds the tables. A process of an older build that opened
/// the ledger before a newer build rebuilt them would otherwise go on
/// indexing new events by its older rules, beside tables built by the
/// newer ones. Reading one small value of `meta` in the write transaction
/// that is under way costs one B-tree lookup and no copy, and sees what
/// every other process committed, since write transactions are serialized.
struct ProjectionVersionGuard: Sendable {
    let path: String
    /// The version this store indexes by.
    let running: String
    private let expected: [UInt8]
    private let meta: Database

    /// The guard of a store opened with `projections`, or `nil` when it
    /// keeps none (such a store is refused every append by
    /// ``EventStoreOptions/appendRefusal(location:storedProjections:)``
    /// when the ledger has projections).
    init?(path: String, projections: [any Projection], meta: Database) {
        guard !projections.isEmpty else { return nil }
        self.path = path
        running = EventStore.projectionVersion(of: projections)
        expected = Array(running.utf8)
        self.meta = meta
    }

    /// Throws ``EventStoreError/projectionsRebuilt(path:stored:running:)``
    /// when the stored version is not the one this store indexes by; the
    /// caller's transaction is then aborted and nothing is written.
    func check(in txn: borrowing WriteTransaction) throws {
        let stored = try StoreLayout.projectionVersionKey.withUnsafeBytes { key in try txn.get(key, in: meta) }
        if let stored, stored.elementsEqual(expected) { return }
        throw EventStoreError.projectionsRebuilt(
            path: path, stored: stored.map { String(decoding: $0, as: UTF8.self) } ?? "none", running: running)
    }
}
