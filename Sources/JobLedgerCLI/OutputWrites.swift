import EventStore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes of a command's output that fail with an error instead of
/// stopping the process: Foundation's `FileHandle.write(_:)` traps when
/// the write fails (a full disk, a closed pipe with SIGPIPE ignored), so an
/// export to a full disk would end in a crash rather than a message.
package enum OutputWrites {
    /// Writes every byte to `descriptor`, retrying interrupted and short
    /// writes; a failure throws ``CLIError/output(_:)`` naming `target`.
    package static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, target: String) throws(CLIError) {
        do throws(SystemCallFailure) {
            try DescriptorWrites.writeAll(bytes, to: descriptor)
        } catch {
            throw .output("cannot write \(target): \(error.reason)")
        }
    }

    /// Writes `bytes` to standard output.
    package static func standardOutput(_ bytes: UnsafeRawBufferPointer) throws(CLIError) {
        try write(bytes, to: STDOUT_FILENO, target: "to standard output")
    }

    /// Writes `text` to standard error as far as it can: a message about a
    /// failure has nowhere else to go, so a failed write is not an error.
    package static func standardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in try? write(UnsafeRawBufferPointer(bytes), to: STDERR_FILENO, target: "to standard error") }
    }
}
