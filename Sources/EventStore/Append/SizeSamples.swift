import LMDB

/// The data file's size through time, sampled by the transactions that
/// append, kept in `meta` so that `info` can say how fast the ledger grows.
///
/// Two rings: the first commit of each minute writes the size the file had
/// before it into one of 64 minute slots, the first of each hour into one of
/// 32 hour slots. A minute with no commit has no sample, and needs none:
/// nothing grew in it. So the size at a past time is the size the first
/// sample after it recorded, to within the growth of one minute (one hour
/// for times only the hour ring still reaches). Costs one lookup per commit
/// on the page of `meta` that the commit clock already touches, and a put
/// or two a minute.
///
/// Keys are `size` followed by the ring (`m` or `h`) and the slot; values
/// the time in microseconds since 1970 and the file's pages, 8 bytes
/// big-endian each.
enum SizeSamples {
    static let keyPrefix = Array("size".utf8)

    /// One recorded size.
    struct Sample: Sendable, Hashable {
        /// When it was taken, microseconds since 1970.
        let micros: Int64
        /// The file's pages just before the commit that took it.
        let filePages: Int
    }

    private struct Ring {
        let tag: UInt8
        let slots: Int64
        let periodMicros: Int64
    }

    private static let rings = [
        Ring(tag: UInt8(ascii: "m"), slots: 64, periodMicros: 60_000_000),
        Ring(tag: UInt8(ascii: "h"), slots: 32, periodMicros: 3_600_000_000),
    ]

    /// Records the file's size at `micros` unless this minute (and hour)
    /// already has a sample.
    static func record(micros: Int64, in txn: borrowing WriteTransaction, meta: Database) throws {
        guard micros >= 0 else { return }
        var value: [UInt8]?
        for ring in rings {
            let period = micros / ring.periodMicros
            let key = keyPrefix + [ring.tag, UInt8(truncatingIfNeeded: period % ring.slots)]
            if let stored = try txn.get(key, in: meta), let sample = decode(stored), sample.micros >= 0,
               sample.micros / ring.periodMicros == period {
                // This period is sampled, and so is the longer one around it.
                return
            }
            if value == nil { value = encode(Sample(micros: micros, filePages: txn.committedFilePages)) }
            try txn.put(key, value!, in: meta)
        }
    }

    /// Every recorded sample, oldest first.
    static func samples(in txn: borrowing ReadTransaction, meta: Database) throws -> [Sample] {
        let samples = Set(try MetaRings.values(withPrefix: keyPrefix, in: txn, meta: meta).compactMap(decode))
        return samples.sorted { $0.micros < $1.micros }
    }

    /// The growth in pages over the `windowMicros` before `nowMicros`, up
    /// to `currentPages`, and the time it covers: the whole window, or less
    /// when the samples begin later (a young ledger, or one written before
    /// sizes were sampled). `nil` when there is no sample at all.
    static func growth(
        overMicros windowMicros: Int64, samples: [Sample], currentPages: Int, nowMicros: Int64
    ) -> (pages: Int, coveredMicros: Int64)? {
        guard let oldest = samples.first else { return nil }
        let since = nowMicros - windowMicros
        let covered = min(windowMicros, max(0, nowMicros - oldest.micros))
        // The size then is what the first sample after it saw: commits
        // between the two would have sampled earlier.
        guard let first = samples.first(where: { $0.micros >= since }) else {
            // Nothing committed since then: nothing grew.
            return (0, windowMicros)
        }
        return (max(0, currentPages - first.filePages), covered)
    }

    private static func encode(_ sample: Sample) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        let fields = [UInt64(bitPattern: sample.micros), UInt64(sample.filePages)]
        for (field, value) in fields.enumerated() {
            for index in 0..<8 { bytes[field * 8 + index] = UInt8(truncatingIfNeeded: value >> (56 - 8 * index)) }
        }
        return bytes
    }

    private static func decode(_ bytes: [UInt8]) -> Sample? {
        guard bytes.count == 16 else { return nil }
        return bytes.withUnsafeBytes { buffer in
            let pages = buffer.loadBigEndianUInt64(at: 8)
            guard pages <= UInt64(Int.max) else { return nil }
            return Sample(micros: Int64(bitPattern: buffer.loadBigEndianUInt64(at: 0)), filePages: Int(pages))
        }
    }
}
