import Foundation

/// This process's write counters from `/proc/self/io` (all threads), and
/// its flush calls: what a stretch of work asked of the kernel and disk.
struct ProcessIO: Sendable {
    /// Bytes passed to `write`-family calls (`wchar`).
    var bytesHanded = 0
    /// `write`-family calls (`syscw`): `pwrite` and `writev` included.
    var writeCalls = 0
    /// Bytes the kernel accounted as sent to storage (`write_bytes`): one
    /// page for each page made dirty; 0 on file systems that do not count.
    var storageBytes = 0
    /// `fdatasync` and `fsync` calls (see ``FlushCounter``).
    var flushes = 0

    /// The counters now; zeros where `/proc/self/io` cannot be read.
    static func now() -> ProcessIO {
        var io = ProcessIO(flushes: FlushCounter.count)
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return io }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, let value = Int(parts[1].trimmingCharacters(in: .whitespaces)) else { continue }
            switch parts[0] {
            case "wchar": io.bytesHanded = value
            case "syscw": io.writeCalls = value
            case "write_bytes": io.storageBytes = value
            default: break
            }
        }
        return io
    }

    /// The counters from `earlier` to `self`.
    func since(_ earlier: ProcessIO) -> ProcessIO {
        ProcessIO(
            bytesHanded: bytesHanded - earlier.bytesHanded, writeCalls: writeCalls - earlier.writeCalls,
            storageBytes: storageBytes - earlier.storageBytes, flushes: flushes - earlier.flushes)
    }

    /// Both counters added.
    static func + (left: ProcessIO, right: ProcessIO) -> ProcessIO {
        ProcessIO(
            bytesHanded: left.bytesHanded + right.bytesHanded, writeCalls: left.writeCalls + right.writeCalls,
            storageBytes: left.storageBytes + right.storageBytes, flushes: left.flushes + right.flushes)
    }
}
