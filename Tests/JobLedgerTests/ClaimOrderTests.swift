import JobLedger
import Testing

/// The order in which a claim tries its candidates, and the generator that
/// spreads it.
@Suite struct ClaimOrderTests {
    @Test func theFirstRoundTriesTheFirstCandidateFirstAndEveryCandidateOnce() {
        for count in [0, 1, 2, 16, 80] {
            let order = JobLedger.claimOrder(count, round: 0)
            #expect(order.sorted() == Array(0..<count))
            if count > 0 { #expect(order.first == 0) }
        }
        #expect(JobLedger.claimOrder(80, round: 1).sorted() == Array(0..<80))
    }

    @Test func laterRoundsSpreadTheFirstTryOverEveryCandidate() {
        var firsts = Set<Int>()
        for _ in 0..<2_000 { firsts.insert(JobLedger.claimOrder(8, round: 3)[0]) }
        #expect(firsts == Set(0..<8))
    }

    @Test func theGeneratorIsDeterministicForASeedAndDiffersBetweenSeeds() {
        var first = SplitMix64(seed: 42)
        var again = SplitMix64(seed: 42)
        var other = SplitMix64(seed: 43)
        let a = (0..<64).map { _ in first.next() }
        #expect(a == (0..<64).map { _ in again.next() })
        #expect(a != (0..<64).map { _ in other.next() })
        #expect(Set(a).count == 64)
        // Every bit is set in some outputs and clear in others.
        let ored = a.reduce(0, |), anded = a.reduce(UInt64.max, &)
        #expect(ored == UInt64.max && anded == 0)
    }
}
