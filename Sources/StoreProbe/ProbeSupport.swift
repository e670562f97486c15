import EventStore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every probe command shares: opening the ledger, reading its
/// arguments, writing its lines at once, and stopping when asked or when
/// the parent is gone.
extension Probe {
    /// Set once `stop` (or the end of input) arrives on standard input.
    static let stopRequested = Atomic<Bool>(false)

    static func watchForStop() {
        let thread = Thread {
            while let line = readLine(), line != "stop" {}
            stopRequested.store(true, ordering: .releasing)
        }
        thread.start()
    }

    static func open(_ path: String, durability: EventStoreOptions.Durability) throws -> EventStore {
        var options = EventStoreOptions()
        options.durability = durability
        return try EventStore.open(at: path, options: options)
    }

    /// The number of the last transaction stored, 0 when there is none.
    /// Transactions are all or nothing and numbered in order, so the last
    /// event of each `account-*` stream belongs to a whole transaction and
    /// the highest of those numbers is the last one that committed.
    static func lastTransaction(in store: EventStore) throws -> Int {
        struct Part: Decodable { let txn: Int }
        var last = 0
        for account in 0..<7 {
            for event in try store.readStream("account-\(account)", from: .max, direction: .backwards, limit: 1) {
                if let part = try? JSONDecoder().decode(Part.self, from: Data(event.payload)) {
                    last = max(last, part.txn)
                }
            }
        }
        return last
    }

    static func integer(_ text: String, _ name: String) -> Int {
        guard let value = Int(text), value >= 0 else { usage("\(name) must be a non-negative integer, not '\(text)'") }
        return value
    }

    /// Writes one line straight to standard output, unbuffered.
    static func say(_ line: String) {
        writeAll(Array((line + "\n").utf8), to: STDOUT_FILENO)
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    exit(3)  // nobody is listening any more
                }
                offset += written
            }
        }
    }

    static func stopIfOrphaned(_ parent: pid_t) {
        if getppid() != parent { exit(3) }
    }

    static func usage(_ message: String) -> Never {
        fail("usage: \(message)", status: 64)
    }

    static func fail(_ message: String, status: Int32 = 1) -> Never {
        writeAll(Array("StoreProbe: \(message)\n".utf8), to: STDERR_FILENO)
        exit(status)
    }
}
