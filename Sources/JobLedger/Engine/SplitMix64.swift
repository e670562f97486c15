/// SplitMix64: a tiny, fast generator whose whole state is one integer, so
/// a seed always gives the same sequence. The tests' random interleavings
/// and the claim's spreading of candidates use it: choices that only spread
/// load, never secrets or ids. (The system's generator asks the kernel on
/// every call, which made shuffling a claim's 80 candidates cost 79 system
/// calls.)
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    package init(seed: UInt64) { state = seed }

    /// A generator seeded once from the system's generator.
    package init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
