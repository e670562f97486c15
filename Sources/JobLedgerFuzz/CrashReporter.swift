import Foundation
import Synchronization

/// Saves the input being run when the process traps, crashes or hangs,
/// and says how to run it again.
///
/// Before each input the runner copies it into a buffer allocated once; a
/// signal handler writes that buffer to a file with async-signal-safe
/// calls only, and a watchdog thread does the same for an input that runs
/// past the hang limit.
enum CrashReporter {
    private static let capacity = 1 << 20
    nonisolated(unsafe) private static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var index = 0
    /// The file the input is saved to, as a C string.
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?
    /// The message printed before the input's number.
    nonisolated(unsafe) private static var message: UnsafeMutablePointer<CChar>?
    /// Standard error as it was when the run was armed: a target may point
    /// descriptor 2 elsewhere while an input runs (the command line's does).
    nonisolated(unsafe) private static var errorOutput: Int32 = 2
    /// When the current input started, in uptime nanoseconds; 0 between inputs.
    private static let started = Atomic<UInt64>(0)

    /// Prepares for a run of `target`: inputs that crash go to `file`.
    static func arm(target: String, seed: UInt64, file: String) {
        free(path)
        free(message)
        path = strdup(file)
        if errorOutput == 2 { errorOutput = dup(2) }
        message = strdup("jobledger-fuzz: target \(target), seed \(seed): crashed or hung on input #")
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            _ = Foundation.signal(signal) { number in
                CrashReporter.saveInput()
                Foundation.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    /// Notes `input` (number `number`) as the one running now.
    static func willRun(_ number: Int, _ input: [UInt8]) {
        let count = min(input.count, capacity)
        input.withUnsafeBufferPointer { source in
            buffer.update(from: source.baseAddress!, count: count)
        }
        length = count
        index = number
        started.store(DispatchTime.now().uptimeNanoseconds, ordering: .releasing)
    }

    /// Notes that no input is running.
    static func idle() {
        started.store(0, ordering: .releasing)
    }

    /// Starts a thread that saves the input and ends the process when one
    /// input runs longer than `limit`.
    static func watchForHangs(limit: Duration) {
        let limitNanos = UInt64(limit.components.seconds) * 1_000_000_000
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: 0.2)
                let start = started.load(ordering: .acquiring)
                if start != 0 && DispatchTime.now().uptimeNanoseconds - start > limitNanos {
                    saveInput()
                    let note = " (a hang: over \(limit))\n"
                    _ = note.withCString { write(errorOutput, $0, strlen($0)) }
                    exit(3)
                }
            }
        }
        thread.start()
    }

    /// Writes the input to its file and the message with the input's
    /// number to standard error; safe inside a signal handler.
    private static func saveInput() {
        if let path {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 {
                _ = write(fd, buffer, length)
                close(fd)
            }
        }
        if let message { _ = write(errorOutput, message, strlen(message)) }
        // The input's number, without allocating.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var rest = index
            var count = 0
            repeat {
                count += 1
                scratch[24 - count] = UInt8(rest % 10) + 0x30
                rest /= 10
            } while rest > 0
            _ = write(errorOutput, scratch.baseAddress! + 24 - count, count)
        }
        if let path {
            let saved: StaticString = "; input saved to "
            _ = write(errorOutput, saved.utf8Start, saved.utf8CodeUnitCount)
            _ = write(errorOutput, path, strlen(path))
        }
        let newline: StaticString = "\n"
        _ = write(errorOutput, newline.utf8Start, newline.utf8CodeUnitCount)
    }
}
