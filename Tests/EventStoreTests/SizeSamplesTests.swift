@testable import EventStore
import Testing

/// The growth figures of `info` from the sizes that appends sample: the
/// size at a past time is what the first sample after it saw.
@Suite struct SizeSamplesTests {
    static let minute: Int64 = 60_000_000
    static let now: Int64 = 1_000_000 * minute

    static func sample(minutesAgo: Int64, pages: Int) -> SizeSamples.Sample {
        SizeSamples.Sample(micros: now - minutesAgo * minute, filePages: pages)
    }

    @Test func growthCountsFromTheFirstSampleInsideTheSpanAndSaysHowMuchOfItIsOnRecord() throws {
        let samples = [
            Self.sample(minutesAgo: 120, pages: 10), Self.sample(minutesAgo: 50, pages: 20),
            Self.sample(minutesAgo: 10, pages: 30),
        ]
        let hour = try #require(SizeSamples.growth(overMicros: 60 * Self.minute, samples: samples, currentPages: 40, nowMicros: Self.now))
        #expect(hour.pages == 20 && hour.coveredMicros == 60 * Self.minute)
        let day = try #require(SizeSamples.growth(overMicros: 1440 * Self.minute, samples: samples, currentPages: 40, nowMicros: Self.now))
        // The record begins two hours ago: that is what the day's figure covers.
        #expect(day.pages == 30 && day.coveredMicros == 120 * Self.minute)
    }

    @Test func aLedgerThatWroteNothingInTheSpanGrewByNothingAndOneWithNoSamplesIsUnknown() throws {
        let old = [Self.sample(minutesAgo: 300, pages: 10)]
        let hour = try #require(SizeSamples.growth(overMicros: 60 * Self.minute, samples: old, currentPages: 10, nowMicros: Self.now))
        #expect(hour.pages == 0 && hour.coveredMicros == 60 * Self.minute)
        #expect(SizeSamples.growth(overMicros: 60 * Self.minute, samples: [], currentPages: 10, nowMicros: Self.now) == nil)
    }
}
