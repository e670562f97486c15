import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The package's `scripts/postgres-cluster`, run by the tests to have a
/// cluster of their own.
enum PostgresClusterScript {
    /// The script, found by walking up from this file to the folder that
    /// holds `Package.swift`.
    static func path(from file: String = #filePath) -> String? {
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder.appendingPathComponent("scripts/postgres-cluster").path
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// Starts a cluster in a fresh temporary folder and returns that folder,
    /// which holds the server's socket.
    ///
    /// The cluster is stopped, and its folder removed, when this process
    /// exits; should the process end without exiting (a crash, a kill), the
    /// script's watchdog stops the server once the process is gone.
    static func startCluster() throws(PostgresTestClusterError) -> String {
        guard let script = path() else {
            throw .unavailable("scripts/postgres-cluster was not found above \(#filePath)")
        }
        let template = NSTemporaryDirectory() + "/jobledger-pg.XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw .unavailable("could not create a temporary folder from \(template)")
        }
        let directory = String(cString: made)
        let run: CommandRun
        do {
            run = try CommandRun.run(script, ["start", directory, "--watch", String(getpid())])
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw .unavailable("could not run \(script): \(error)")
        }
        guard run.status == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            throw .unavailable(run.errors.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        clusterToStop.withLock { $0 = (script, directory) }
        atexit { PostgresClusterScript.stopAtExit() }
        return directory
    }

    /// Stops the cluster this process started and removes its folder.
    ///
    /// Runs the script with `posix_spawn` and `waitpid` rather than through
    /// `Process`, whose machinery should not be relied on while the process
    /// is exiting.
    private static func stopAtExit() {
        guard let cluster = clusterToStop.withLock({ $0 }) else { return }
        let arguments = [cluster.script, "stop", cluster.directory].map { $0.withCString { strdup($0) } }
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)".withCString { strdup($0) } }
        defer { (arguments + environment).forEach { free($0) } }
        var child: pid_t = 0
        if posix_spawn(&child, cluster.script, nil, nil, arguments + [nil], environment + [nil]) == 0 {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        }
        try? FileManager.default.removeItem(atPath: cluster.directory)
    }
}

/// The script and folder of the cluster this process started, for the exit
/// handler (which cannot capture them).
private let clusterToStop = Mutex<(script: String, directory: String)?>(nil)
