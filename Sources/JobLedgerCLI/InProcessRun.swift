import ArgumentParser
import Foundation
import Synchronization

extension JobLedgerCommand {
    /// Parses and runs `arguments` (without the program name) in this
    /// process, as the executable would, and returns the exit code the
    /// executable would exit with. For the fuzzers: output goes wherever
    /// this process's standard output and error go.
    ///
    /// An async command runs on a task while the calling thread waits, so
    /// call this from a thread of your own, never from a task.
    package static func exitCode(running arguments: [String]) -> Int32 {
        let code = Mutex<Int32>(0)
        let finished = DispatchSemaphore(value: 0)
        do {
            var command = try parseAsRoot(arguments)
            if let asyncCommand = command as? AsyncParsableCommand {
                let box = UncheckedBox(asyncCommand)
                Task.detached {
                    var command = box.value
                    let result = await Self.code { try await command.run() }
                    code.withLock { $0 = result }
                    finished.signal()
                }
                finished.wait()
                return code.withLock { $0 }
            }
            return Self.syncCode { try command.run() }
        } catch {
            return Self.code(for: error)
        }
    }

    /// Whether the ledger must be opened without fsync, whatever the
    /// environment says: set once by an in-process caller.
    package static let noSyncForInProcessRuns = Atomic<Bool>(false)

    private static func syncCode(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch {
            return code(for: error)
        }
    }

    private static func code(_ body: () async throws -> Void) async -> Int32 {
        do {
            try await body()
            return 0
        } catch {
            return code(for: error)
        }
    }

    /// The exit code `main` exits with for `error`: usage and validation
    /// errors are 2, as in ``main()``.
    private static func code(for error: any Error) -> Int32 {
        let code = exitCode(for: error)
        return code == .validationFailure ? 2 : code.rawValue
    }
}

/// Carries a command value to the task that runs it; only that task uses it.
private struct UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
