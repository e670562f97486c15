import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `jobledger serve` started with its standard output closed (a service
/// manager's choice, or a pipe whose reader went away): it announces its
/// address as far as it can and serves, instead of crashing on the write.
@Suite("jobledger serve with standard output closed")
struct ServeClosedOutputTests {
    /// A loopback port that was free a moment ago.
    static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return UInt16(bigEndian: address.sin_port)
    }

    @Test func theServerServesAndStopsCleanlyWithItsStandardOutputClosed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-closed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let executable = try #require(ServeProcess.executable)
        let port = try Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", "exec \"$0\" \"$@\" >&-", executable.path,
            "serve", "--db", directory + "/ledger", "--listen", "127.0.0.1:\(port)", "--log-level", "warning",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["JOBLEDGER_NOSYNC"] = "1"
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var status = 0
        let deadline = Date().addingTimeInterval(60)
        while status != 200 && process.isRunning && Date() < deadline {
            status = ServeProcess.request("GET", "http://127.0.0.1:\(port)/readyz").status
            if status != 200 { usleep(100_000) }
        }
        #expect(status == 200, "the server did not answer /readyz (running: \(process.isRunning))")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
