#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The failure of a system call on a file, as the `errno` it left.
package struct SystemCallFailure: Error, Sendable, Equatable {
    /// The `errno` value the call failed with.
    package let code: Int32

    /// Wraps an `errno` value.
    package init(code: Int32) {
        self.code = code
    }

    /// The system's text for the error (`strerror`), as messages quote it.
    package var reason: String { String(cString: strerror(code)) }
}

/// The two steps every durable file the store and its commands write goes
/// through: every byte written to a descriptor, and the directory that
/// names the file flushed once the file has its name. Backups, scavenge
/// archives, exports and the command line's output share them.
package enum DescriptorWrites {
    /// Writes every byte of `bytes` to `descriptor`, retrying writes a
    /// signal interrupted (`EINTR`) and continuing after short writes;
    /// throws the `errno` of the first write that fails.
    package static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(SystemCallFailure) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw SystemCallFailure(code: code)
            }
            offset += written
        }
    }

    /// Flushes the directory at `path` (opened `O_RDONLY | O_DIRECTORY`,
    /// `fsync`ed, closed), so that names created, renamed or linked in it
    /// survive a crash; throws the `errno` of the open or the flush.
    package static func flushDirectory(_ path: String) throws(SystemCallFailure) {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw SystemCallFailure(code: errno) }
        defer { close(directory) }
        guard fsync(directory) == 0 else { throw SystemCallFailure(code: errno) }
    }
}
