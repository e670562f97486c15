import Foundation

/// Progress lines on standard error, so standard output holds only the
/// report (the table, or the JSON document with `--json`).
enum Progress {
    /// Writes one line to standard error.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data("jobledger-bench: \(line)\n".utf8))
    }
}
