import LMDB

/// The small rings of records the appending transactions keep in `meta`
/// (``CommitClock``, ``SizeSamples``): keys of a prefix followed by two
/// bytes (ring and slot), values of 16 bytes.
enum MetaRings {
    /// The values of every record under `prefix` whose key is the prefix
    /// and two bytes more, in key order.
    static func values(
        withPrefix prefix: [UInt8], in txn: borrowing ReadTransaction, meta: Database
    ) throws -> [[UInt8]] {
        var values: [[UInt8]] = []
        try txn.withCursor(on: meta) { cursor in
            var entry = try prefix.withUnsafeBytes { try cursor.seek(atLeast: $0) }
            while let current = entry, current.key.starts(with: prefix) {
                if current.key.count == prefix.count + 2 { values.append(Array(current.value)) }
                entry = try cursor.next()
            }
        }
        return values
    }
}
