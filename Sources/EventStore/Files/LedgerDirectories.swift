import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folders on the way to a ledger that is being created.
package enum LedgerDirectories {
    /// The mode of a ledger's directory and of the folders created on the
    /// way to it: the owner's alone, since the ledger holds every payload.
    package static let mode: mode_t = 0o700

    /// Creates the missing folders above `path` (not `path` itself), from
    /// the top down, each with ``mode`` whatever the umask; folders that
    /// exist are left as they are. Throws the failing folder and its
    /// `errno` (a file in the way, no permission); folders it created
    /// before the failure stay.
    package static func createParents(of path: String) throws(DirectoryCreationFailure) {
        var missing: [String] = []
        var parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        while parent.path != "/" && !parent.path.isEmpty && access(parent.path, F_OK) != 0 {
            missing.append(parent.path)
            parent = parent.deletingLastPathComponent()
        }
        for folder in missing.reversed() {
            if mkdir(folder, mode) == 0 {
                // The umask applies to mkdir; the mode must not depend on it.
                chmod(folder, mode)
            } else if errno != EEXIST {
                throw DirectoryCreationFailure(path: folder, failure: SystemCallFailure(code: errno))
            }
        }
    }
}

/// A folder that could not be created on the way to a ledger.
package struct DirectoryCreationFailure: Error, Sendable, CustomStringConvertible {
    /// The folder `mkdir` refused.
    package let path: String
    /// The `errno` it refused with.
    package let failure: SystemCallFailure

    /// `mkdir(<folder>) failed: <reason>`, the form the store's other
    /// system call failures take.
    package var description: String { "mkdir(\(path)) failed: \(failure.reason)" }
}
