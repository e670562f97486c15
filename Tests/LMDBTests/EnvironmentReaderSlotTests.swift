import Foundation
import LMDB
import Synchronization
import Testing

/// Each snapshot holds a slot of the reader table for its life.
@Suite struct EnvironmentReaderSlotTests {
    @Test(.timeLimit(.minutes(1)))
    func aReadBeyondEverySlotThrowsReadersFullWithTheLimitAndTakesNoSlot() throws {
        var options = EnvironmentOptions()
        options.maxReaders = 4
        let scratch = try ScratchEnvironment(options)
        let environment = scratch.environment
        try environment.write { transaction in try transaction.put(key(0), [1], in: scratch.database) }

        // Four threads each hold a snapshot until released.
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let failures = Mutex<[String]>([])
        for _ in 0..<4 {
            Thread {
                do {
                    try environment.read { _ in
                        holding.signal()
                        release.wait()
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                    holding.signal()
                }
                finished.signal()
            }.start()
        }
        for _ in 0..<4 { holding.wait() }
        #expect(try environment.readerSlots().count == 4)
        #expect {
            try environment.read { transaction in try transaction.get(key(0), in: scratch.database) }
        } throws: { error in
            let error = error as? LMDBError
            return error?.code == .readersFull && error?.readerLimit == 4
        }
        #expect(try environment.readerSlots().count == 4)

        for _ in 0..<4 { release.signal() }
        for _ in 0..<4 { finished.wait() }
        #expect(failures.withLock { $0 } == [])
        #expect(try environment.readerSlots().isEmpty)
        #expect(try environment.read { transaction in try transaction.get(key(0), in: scratch.database) } == [1])
    }
}
