import Foundation

/// The process's resident memory, for the leak check.
enum ResidentMemory {
    /// Resident bytes now, from `/proc/self/statm`; 0 where it cannot be read.
    static func current() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// `bytes` in MiB with one decimal.
    static func format(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }
}
