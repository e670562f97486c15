/// A small, fast, seedable generator (SplitMix64), so every fuzz input can
/// be made again from its seed and number alone.
package struct FuzzRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`.
    package init(seed: UInt64) { state = seed }

    /// The generator for input number `index` of a run seeded with `seed`:
    /// inputs do not depend on each other, so any one can be replayed.
    ///
    /// The state is a hash of both, not the seed plus a multiple of the
    /// number: SplitMix64 steps its state by a constant, so neighbouring
    /// inputs would otherwise get the same numbers shifted by one.
    package init(seed: UInt64, input index: Int) {
        state = Self.mix(Self.mix(seed ^ 0x6A09_E667_F3BC_C909) ^ Self.mix(UInt64(truncatingIfNeeded: index) &+ 1))
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`; `bound` must be positive.
    package mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// True with probability `1 / n`.
    package mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }

    /// A random element of a non-empty collection.
    package mutating func pick<C: RandomAccessCollection>(_ items: C) -> C.Element where C.Index == Int {
        items[items.startIndex + below(items.count)]
    }

    /// A length that is usually small: `0...limit`, skewed towards 0.
    package mutating func smallLength(_ limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        let scale = 1 << below(Int(limit.bitWidth - limit.leadingZeroBitCount) + 1)
        return below(min(scale, limit) + 1)
    }
}
