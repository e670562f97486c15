import EventStore
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signals the interrupting test delivered to its writer's handler.
private let interruptionsHandled = Atomic<Int>(0)

/// The one write loop and directory flush that backups, scavenge archives,
/// exports and the command line's output share.
@Suite(.serialized) struct DescriptorWritesTests {
    @Test("every byte reaches a slow pipe reader in order while signals interrupt the writer")
    func interruptedAndShortWritesAreResumed() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }

        // A handler without SA_RESTART: a blocked write returns early, short or with EINTR.
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in interruptionsHandled.add(1, ordering: .relaxed) }
        #else
        action.__sigaction_u.__sa_handler = { _ in interruptionsHandled.add(1, ordering: .relaxed) }
        #endif
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        #expect(sigaction(SIGUSR1, &action, &previous) == 0)
        defer { sigaction(SIGUSR1, &previous, nil) }

        let size = 2 << 20
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }
        let writer = Mutex<pthread_t?>(nil)
        let outcome = Mutex<SystemCallFailure??>(nil)
        let finished = Atomic<Bool>(false)

        let writing = Thread {
            // A thread inherits its creator's blocked signals; this one must take the interruptions.
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            sigaddset(&unblocked, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            writer.withLock { $0 = pthread_self() }
            let result: SystemCallFailure?
            do {
                try payload.withUnsafeBytes { bytes in
                    try DescriptorWrites.writeAll(bytes, to: writeEnd)
                }
                result = nil
            } catch {
                result = error as? SystemCallFailure ?? SystemCallFailure(code: EINVAL)
            }
            outcome.withLock { $0 = .some(result) }
            close(writeEnd)
            finished.store(true, ordering: .releasing)
        }
        writing.start()
        let interrupting = Thread {
            while !finished.load(ordering: .acquiring) {
                if let thread = writer.withLock({ $0 }) { pthread_kill(thread, SIGUSR1) }
                usleep(100)
            }
        }
        interrupting.start()

        var received: [UInt8] = []
        received.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            #expect(count >= 0)
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
        }
        while !finished.load(ordering: .acquiring) { usleep(1000) }

        #expect(outcome.withLock { $0 } == .some(nil))
        #expect(received.count == size)
        #expect(received == payload)
        #expect(interruptionsHandled.load(ordering: .relaxed) > 0)
    }

    @Test("a write the device refuses throws its errno (ENOSPC from /dev/full)")
    func refusedWriteThrowsItsErrno() throws {
        let descriptor = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let bytes = [UInt8](repeating: 7, count: 1000)
        #expect(throws: SystemCallFailure(code: ENOSPC)) {
            try bytes.withUnsafeBytes { bytes in try DescriptorWrites.writeAll(bytes, to: descriptor) }
        }
        #expect(SystemCallFailure(code: ENOSPC).reason == String(cString: strerror(ENOSPC)))
    }

    @Test("a write to a descriptor opened for reading throws EBADF and an empty write succeeds")
    func writeToReadOnlyDescriptorThrowsAndEmptyWriteIsNothing() throws {
        let ledger = TemporaryLedger()
        let path = ledger.path + ".file"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("kept".utf8)))
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        #expect(throws: SystemCallFailure(code: EBADF)) {
            try Array("more".utf8).withUnsafeBytes { bytes in
                try DescriptorWrites.writeAll(bytes, to: descriptor)
            }
        }
        try [UInt8]().withUnsafeBytes { bytes in try DescriptorWrites.writeAll(bytes, to: descriptor) }
        #expect(FileManager.default.contents(atPath: path) == Data("kept".utf8))
    }

    @Test("a directory flushes; a missing path throws ENOENT and a plain file ENOTDIR")
    func directoryFlushReportsWhatIsWrong() throws {
        let ledger = TemporaryLedger()
        let directory = (ledger.path as NSString).deletingLastPathComponent
        try DescriptorWrites.flushDirectory(directory)
        #expect(throws: SystemCallFailure(code: ENOENT)) { try DescriptorWrites.flushDirectory(directory + "/missing") }
        let file = directory + "/plain"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(throws: SystemCallFailure(code: ENOTDIR)) { try DescriptorWrites.flushDirectory(file) }
    }
}
