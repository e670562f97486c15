import Foundation
import Synchronization
import Testing

@testable import JobLedger

/// On a store whose reads wait on the database, an async command's steps
/// run on the ledger's own threads: steps blocked on the database do not
/// take the threads of Swift's cooperative pool.
@Suite struct DecideThreadsTests {
    @Test("steps run on the ledger's threads, and eight blocked ones leave the cooperative pool free", .timeLimit(.minutes(1)))
    func blockedStepsRunOnTheLedgersThreads() async throws {
        let seen = StepThreads()
        let release = DispatchSemaphore(value: 0)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask {
                    var value = index
                    let doubled = try await DecideThreads.shared.run(&value) { (value) throws(JobLedgerError) -> Int in
                        seen.add(DecideThreads.isCurrentThreadOwn ? "own" : "other")
                        release.wait()
                        value += 100
                        return value * 2
                    }
                    #expect(value == index + 100)
                    return doubled
                }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while seen.names.count < 8 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            // All eight block at once, yet the pool still runs this task's work.
            #expect(seen.names.count == 8)
            #expect(await Task { 6 * 7 }.value == 42)
            for _ in 0..<8 { release.signal() }
            var results: [Int] = []
            for try await result in group { results.append(result) }
            #expect(results.sorted() == (0..<8).map { ($0 + 100) * 2 })
        }
        #expect(seen.names.allSatisfy { $0 == "own" }, "\(seen.names)")
    }

    @Test("a step's error comes back to the awaiting task, and the value as the step left it")
    func aStepsErrorComesBack() async throws {
        var value = 1
        await #expect(throws: JobLedgerError.self) {
            try await DecideThreads.shared.run(&value) { (value) throws(JobLedgerError) -> Int in
                value = 2
                throw .invalidInput(field: "x", reason: "refused")
            }
        }
        #expect(value == 2)
    }
}

/// The names of the threads that ran steps.
private final class StepThreads: Sendable {
    private let all = Mutex<[String]>([])
    func add(_ name: String) { all.withLock { $0.append(name) } }
    var names: [String] { all.withLock { $0 } }
}
