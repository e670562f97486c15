import Foundation

extension MachineFigures {
    /// Describes this machine, with the file system holding `directory`.
    static func current(directory: String) -> MachineFigures {
        MachineFigures(
            processors: ProcessInfo.processInfo.activeProcessorCount,
            fileSystem: fileSystemType(of: directory),
            operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString)
    }

    /// The type of the file system holding `path`: the entry of
    /// `/proc/self/mounts` with the longest mount point containing it.
    private static func fileSystemType(of path: String) -> String {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "unknown" }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var best: (mountPoint: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let mountPoint = fields[1].replacingOccurrences(of: "\\040", with: " ")
            let inside = mountPoint == "/" || resolved == mountPoint || resolved.hasPrefix(mountPoint + "/")
            if inside && mountPoint.count >= (best?.mountPoint.count ?? -1) {
                best = (mountPoint, String(fields[2]))
            }
        }
        return best?.type ?? "unknown"
    }
}
