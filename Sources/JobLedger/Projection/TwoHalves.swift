import EventStore
import Foundation

/// Work split over the two halves of a range, one thread each.
enum TwoHalves {
    /// Runs `work` on `0..<count / 2` and `count / 2..<count` at once and
    /// returns both results, lower half first. When either throws, the
    /// lower half's error is thrown.
    static func map<T: Sendable>(_ count: Int, _ work: @Sendable (Range<Int>) throws -> T) throws -> (T, T) {
        let halves = [0..<count / 2, count / 2..<count]
        let results = PlainLock<[Result<T, any Error>?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: halves.count) { half in
            let result = Result { try work(halves[half]) }
            results.withLock { $0[half] = result }
        }
        let both = results.withLock { $0 }
        return (try both[0]!.get(), try both[1]!.get())
    }
}
