/// The projection rows a writer has read or written, kept from one of its
/// transactions to the next for as long as no other transaction changed
/// the ledger in between.
///
/// Every transaction that changes the ledger updates the head row, which
/// gives that row a new `xmin` (the id of the transaction that wrote it).
/// A writer remembers the `xmin` its own commit left; when its next
/// transaction locks the head row and finds the same `xmin`, nobody else
/// has written since, and every row it remembers is still what the tables
/// hold. Otherwise, or after any failure, it forgets everything. With one
/// server, or one busy server among several, most of a transaction's reads
/// of the projection tables then need no round trip.
final class PostgresProjectionCache {
    /// Per table, each key known: its value, or `nil` when it is absent.
    var rows: [String: [[UInt8]: [UInt8]?]] = [:]
    /// The head row's `xmin` that the remembered rows belong to.
    private var validAfter: String?
    /// Keys remembered at most; beyond it the cache starts afresh.
    private let capacity: Int
    private(set) var count = 0

    init(capacity: Int = 200_000) { self.capacity = capacity }

    /// Called with the head row's `xmin` once its lock is held: keeps the
    /// rows when they belong to that state of the ledger.
    func check(headXmin: String) {
        if headXmin != validAfter || count > capacity { forget() }
    }

    /// Called after a commit that left the head row with `xmin`.
    func committed(headXmin: String?) {
        if let headXmin { validAfter = headXmin }
    }

    /// Remembers `value` (or its absence) under `key` of `table`.
    func remember(_ table: String, _ key: [UInt8], _ value: [UInt8]?) {
        if rows[table, default: [:]].updateValue(value, forKey: key) == nil { count += 1 }
    }

    /// Forgets every row: the ledger may have changed.
    func forget() {
        rows.removeAll(keepingCapacity: true)
        count = 0
        validAfter = nil
    }
}
