/// A fast generator for choices that only spread load (the order in which
/// claims try candidates): SplitMix64, seeded once from the system's
/// generator. Not for secrets or ids: the system's generator asks the
/// kernel on every call, which made shuffling a claim's 80 candidates cost
/// 79 system calls.
package struct SpreadingRandom: RandomNumberGenerator {
    private var state: UInt64

    /// A generator seeded from the system's generator.
    package init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    /// A generator with a fixed seed, for tests.
    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
