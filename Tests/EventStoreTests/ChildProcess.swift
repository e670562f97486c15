import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the `StoreProbe` executable that the build put next to the tests.
///
/// Looks, in order, at the `STORE_PROBE_PATH` environment variable, then in
/// the directories holding the running test binary and its bundles (and a
/// few of their parents, which covers the `.xctest` bundle layout on macOS),
/// and finally in the package's default build directory.
enum StoreProbeExecutable {
    static let name = "StoreProbe"

    struct NotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "the \(StoreProbeExecutable.name) executable was not found; build it with the tests "
                + "(swift build --build-tests) or set STORE_PROBE_PATH. Looked in: "
                + searched.joined(separator: ", ")
        }
    }

    /// The executable's location, searched once per test run.
    static let location: Result<URL, NotFound> = locate()

    static func url() throws -> URL { try location.get() }

    private static func locate() -> Result<URL, NotFound> {
        if let override = ProcessInfo.processInfo.environment["STORE_PROBE_PATH"], !override.isEmpty {
            let url = URL(fileURLWithPath: override)
            return isExecutableFile(url) ? .success(url) : .failure(NotFound(searched: [override]))
        }
        var searched: [String] = []
        var seen = Set<String>()
        for start in startingPoints() {
            var directory = start.standardizedFileURL
            // Walk up a few levels: the test binary sits directly in the
            // products directory on Linux and three levels down inside the
            // `.xctest` bundle on macOS.
            for _ in 0..<5 {
                if seen.insert(directory.path).inserted {
                    searched.append(directory.path)
                    let candidate = directory.appendingPathComponent(name)
                    if isExecutableFile(candidate) { return .success(candidate) }
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        // Last resort: the default scratch directory of the package.
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for configuration in ["debug", "release"] {
            let candidate = packageRoot.appendingPathComponent(".build/\(configuration)/\(name)")
            searched.append(candidate.deletingLastPathComponent().path)
            if isExecutableFile(candidate) { return .success(candidate) }
        }
        return .failure(NotFound(searched: searched))
    }

    /// Directories (or files, whose directory is used) to search from.
    private static func startingPoints() -> [URL] {
        var points: [URL] = []
        func add(_ url: URL?) {
            guard let url else { return }
            let resolved = url.resolvingSymlinksInPath()
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                points.append(resolved.deletingLastPathComponent())
            } else {
                points.append(resolved)
            }
        }
        #if os(Linux)
        add(URL(fileURLWithPath: "/proc/self/exe"))
        #endif
        if let first = CommandLine.arguments.first, first.contains("/") {
            add(URL(fileURLWithPath: first))
        }
        add(Bundle.main.executableURL)
        add(Bundle.main.bundleURL)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            add(bundle.bundleURL)
            add(bundle.executableURL)
        }
        return points
    }

    private static func isExecutableFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: url.path)
    }
}

/// What waiting for a child's next line of output produced.
enum ChildLine: Sendable, Equatable, CustomStringConvertible {
    case line(String)
    /// The child closed its output (usually: it exited).
    case endOfOutput
    case timedOut

    var description: String {
        switch self {
        case .line(let text): return "line '\(text)'"
        case .endOfOutput: return "end of output"
        case .timedOut: return "timed out"
        }
    }
}

/// How a child process ended.
enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    /// Still running when the wait gave up.
    case stillRunning

    var description: String {
        switch self {
        case .exited(let status): return "exited with status \(status)"
        case .signalled(let signal): return "ended by signal \(signal)"
        case .stillRunning: return "still running"
        }
    }
}

/// A `StoreProbe` child process whose standard output is read line by line
/// as it arrives.
///
/// Waiting methods are `async` and block only a thread of their own, never a
/// thread of the concurrency pool, so many children can be awaited while
/// other tests run. A child still running when this value is dropped is
/// killed.
final class ChildProcess: Sendable {
    let name: String
    private let handle: ProcessHandle
    private var process: Process { handle.process }
    private let input: FileHandle
    private let output: LineBuffer
    private let errors: LineBuffer

    /// Starts `StoreProbe` with `arguments`.
    init(probe arguments: [String], name: String) throws {
        Self.ignoreBrokenPipes
        self.name = name
        let process = Process()
        process.executableURL = try StoreProbeExecutable.url()
        process.arguments = arguments
        let inputPipe = Pipe()
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardInput = inputPipe
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        handle = ProcessHandle(process: process)
        input = inputPipe.fileHandleForWriting
        output = LineBuffer(reading: outputPipe.fileHandleForReading, threadName: "\(name).stdout")
        errors = LineBuffer(reading: errorPipe.fileHandleForReading, threadName: "\(name).stderr")
    }

    deinit {
        kill()
        try? input.close()
    }

    /// The child's process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Writes one line to the child's standard input.
    func send(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next line the child prints, waiting at most `timeout`.
    func nextLine(timeout: Duration) async -> ChildLine {
        let deadline = ContinuousClock.now + timeout
        let output = output
        return await onOwnThread { output.next(until: deadline) }
    }

    /// Every line not yet taken with ``nextLine(timeout:)``, up to the end
    /// of the output; waits at most `timeout` for the end.
    func remainingLines(timeout: Duration) async -> (lines: [String], complete: Bool) {
        let deadline = ContinuousClock.now + timeout
        let output = output
        return await onOwnThread {
            var lines: [String] = []
            while true {
                switch output.next(until: deadline) {
                case .line(let line): lines.append(line)
                case .endOfOutput: return (lines, true)
                case .timedOut: return (lines, false)
                }
            }
        }
    }

    /// What the child wrote to standard error so far.
    var errorText: String { errors.everything }

    /// Sends SIGKILL unless the child has already ended.
    func kill() {
        if process.isRunning {
            _ = Foundation.kill(process.processIdentifier, SIGKILL)
        }
    }

    /// Waits at most `timeout` for the child to end.
    func waitForExit(timeout: Duration) async -> ChildExit {
        let deadline = ContinuousClock.now + timeout
        let handle = handle
        return await onOwnThread {
            let process = handle.process
            while process.isRunning {
                if ContinuousClock.now >= deadline { return .stillRunning }
                usleep(2_000)
            }
            switch process.terminationReason {
            case .exit: return .exited(process.terminationStatus)
            case .uncaughtSignal: return .signalled(process.terminationStatus)
            @unknown default: return .exited(process.terminationStatus)
            }
        }
    }

    /// Writing to the pipe of a child that died must give an error, not
    /// end the test process with SIGPIPE.
    private static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}

/// `Process` is only asked for its state and never reconfigured after
/// launch, which is safe from any thread.
private struct ProcessHandle: @unchecked Sendable {
    let process: Process
}

/// Runs blocking `body` on a thread of its own and waits for its result
/// without holding a thread of the concurrency pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

/// The lines of one output pipe, filled by a reader thread.
private final class LineBuffer: Sendable {
    private struct State {
        var lines: [String] = []
        var taken = 0
        var partial: [UInt8] = []
        var finished = false
        var everything: [UInt8] = []
    }

    private let state = Mutex(State())
    /// Signalled whenever a line arrives or the output ends.
    private let changed = NSCondition()

    init(reading handle: FileHandle, threadName: String) {
        let descriptor = handle.fileDescriptor
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                self.receive(chunk[0..<count])
            }
            self.finish()
            try? handle.close()
        }
        thread.name = threadName
        thread.start()
    }

    private func receive(_ bytes: ArraySlice<UInt8>) {
        state.withLock { state in
            state.everything.append(contentsOf: bytes)
            for byte in bytes {
                if byte == UInt8(ascii: "\n") {
                    state.lines.append(String(decoding: state.partial, as: UTF8.self))
                    state.partial.removeAll(keepingCapacity: true)
                } else {
                    state.partial.append(byte)
                }
            }
        }
        changed.lock()
        changed.broadcast()
        changed.unlock()
    }

    private func finish() {
        // A last line without a newline is dropped: a killed child may have
        // been cut off in the middle of it.
        state.withLock { $0.finished = true }
        changed.lock()
        changed.broadcast()
        changed.unlock()
    }

    /// Takes the next complete line, blocking until `deadline`.
    func next(until deadline: ContinuousClock.Instant) -> ChildLine {
        changed.lock()
        defer { changed.unlock() }
        while true {
            let available: ChildLine? = state.withLock { state in
                if state.taken < state.lines.count {
                    defer { state.taken += 1 }
                    return .line(state.lines[state.taken])
                }
                return state.finished ? .endOfOutput : nil
            }
            if let available { return available }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return .timedOut }
            // Wake at least every 50 ms so a missed signal cannot stall the wait.
            let seconds = min(Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18, 0.05)
            _ = changed.wait(until: Date(timeIntervalSinceNow: seconds))
        }
    }

    /// Everything read so far, as text.
    var everything: String {
        state.withLock { String(decoding: $0.everything, as: UTF8.self) }
    }
}
