import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CommandLineRunner {
    /// Runs `jobledger` with arguments given as raw bytes, which need not be
    /// UTF-8 (`Process` only takes strings, which are always valid Unicode).
    func run(rawArguments: [[UInt8]]) throws -> Outcome {
        guard let executable = Self.executable else { throw RunnerError.executableNotFound }
        var environment = ProcessInfo.processInfo.environment
        environment["JOBLEDGER_DB"] = ledgerPath
        environment["JOBLEDGER_NOSYNC"] = "1"
        let argv = ([Array(executable.path.utf8)] + rawArguments).map(Self.cString)
        let envp = environment.map { Self.cString(Array("\($0.key)=\($0.value)".utf8)) }
        defer { (argv + envp).forEach { $0?.deallocate() } }

        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        for descriptor in [out[0], out[1], err[0], err[1]] { posix_spawn_file_actions_addclose(&actions, descriptor) }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv + [nil], envp + [nil])
        close(out[1])
        close(err[1])
        let outHandle = FileHandle(fileDescriptor: out[0], closeOnDealloc: true)
        let errHandle = FileHandle(fileDescriptor: err[0], closeOnDealloc: true)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        // The outputs of these runs are a few lines: reading one pipe to its
        // end before the other cannot fill the second.
        let outData = outHandle.readDataToEndOfFile()
        let errData = errHandle.readDataToEndOfFile()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Outcome(
            status: exitStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    private static func cString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        for (index, byte) in bytes.enumerated() { pointer[index] = CChar(bitPattern: byte) }
        pointer[bytes.count] = 0
        return pointer
    }
}
