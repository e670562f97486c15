import Foundation

/// Bytes this process has caused to be written to storage, from the
/// `write_bytes` line of `/proc/self/io` (Linux); `nil` where unavailable.
enum StorageWrites {
    static func total() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("write_bytes:") {
            return Int(line.dropFirst("write_bytes:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
