import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JobLedger
import Synchronization
import Testing

/// `jobledger serve` as a real process on a loopback port.
@Suite("jobledger serve process")
struct ServeProcessTests {
    // Synchronous on purpose: the timings are taken on this thread and the
    // client's threads, not on the cooperative pool that other suites of
    // the run may keep busy; the server has a process of its own.
    @Test("serve on port 0 prints its port, wakes a waiting claim on submit, refuses a token another process revoked, and on SIGTERM answers the waiting claim, exits 0, and leaves a ledger that reopens cleanly")
    func servesAndStopsCleanlyOnSIGTERM() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger"
        let executable = try #require(ServeProcess.executable, "the jobledger executable is built with the tests")

        let created = try ServeProcess.run(executable, ["token", "create", "--db", path, "--actor", "alice", "--role", "user", "--org", "acme", "--json"])
        let user = try #require(created["token"] as? String)
        #expect(user.hasPrefix("jl_") && user.count == 46)
        let workerToken = try #require(
            try ServeProcess.run(executable, ["token", "create", "--db", path, "--actor", "w1", "--role", "worker", "--org", "acme", "--json"])["token"] as? String)

        let server = try ServeProcess(executable, ["serve", "--db", path, "--listen", "127.0.0.1:0"])
        let base = try server.waitForListeningLine()
        #expect(base.hasPrefix("http://127.0.0.1:"))
        #expect(!base.hasSuffix(":0"))
        #expect(ServeProcess.request("GET", base + "/healthz").status == 200)

        // A claim waiting when a job is submitted gets it at once, not at its next look.
        let woken = ServeProcess.inBackground {
            ServeProcess.request("POST", base + "/v1/claims", token: workerToken, body: #"{"types":["email"],"wait":20}"#)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let submittedAt = Date()
        #expect(ServeProcess.request("POST", base + "/v1/jobs", token: user, body: #"{"id":"j1","type":"email"}"#).status == 201)
        let claimed = woken.wait()
        #expect(claimed.status == 200)
        #expect(claimed.body.contains(#""id":"j1""#))
        #expect(Date().timeIntervalSince(submittedAt) < 0.9, "woken by the commit, not by the one-second recheck")

        // A job submitted by another process reaches a waiting claim through
        // the server's claim waker (one look at the queue a second), long
        // before the claim's wait runs out.
        let crossProcess = ServeProcess.inBackground {
            ServeProcess.request("POST", base + "/v1/claims", token: workerToken, body: #"{"types":["sms"],"wait":20}"#)
        }
        Thread.sleep(forTimeInterval: 0.3)
        let handedOverAt = Date()
        _ = try ServeProcess.run(
            executable, ["submit", "--db", path, "--id", "j2", "--type", "sms", "--owner", "alice", "--org", "acme", "--json"])
        let fromOtherProcess = crossProcess.wait()
        #expect(fromOtherProcess.status == 200)
        #expect(fromOtherProcess.body.contains(#""id":"j2""#))
        #expect(Date().timeIntervalSince(handedOverAt) < 8, "woken by the claim waker, not at the end of the wait")

        // A token revoked by another process is refused on the next request.
        let tokens = try ServeProcess.run(executable, ["token", "list", "--db", path, "--json"])["tokens"] as? [[String: Any]] ?? []
        let userTokenID = try #require(tokens.first { $0["actor"] as? String == "alice" }?["id"] as? String)
        #expect(ServeProcess.request("GET", base + "/v1/jobs/j1", token: user).status == 200)
        _ = try ServeProcess.run(executable, ["token", "revoke", userTokenID, "--db", path, "--json"])
        #expect(ServeProcess.request("GET", base + "/v1/jobs/j1", token: user).status == 401)

        // A claim left waiting when the signal comes answers "no job" and the server still exits.
        let waiting = ServeProcess.inBackground {
            ServeProcess.request("POST", base + "/v1/claims", token: workerToken, body: #"{"types":["other"],"wait":25}"#)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let signalledAt = Date()
        kill(server.process.processIdentifier, SIGTERM)
        #expect(waiting.wait().status == 204)
        #expect(server.waitForExit() == 0)
        #expect(Date().timeIntervalSince(signalledAt) < 10)

        var options = JobLedgerOptions()
        options.store = .noSync
        let reopened = try JobLedger(path: path, options: options)
        #expect(try reopened.job("j1")?.state == .running)
        #expect(try reopened.job("j2")?.state == .running)
        #expect(try reopened.store.verifyLog().isClean)
        #expect(try reopened.verifyProjections().isEmpty)
    }
}

/// A child `jobledger` process and a minimal HTTP client for it.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()

    static let executable: URL? = {
        var candidates: [URL] = []
        for start in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
            var directory = start.resolvingSymlinksInPath()
            for _ in 0..<5 {
                candidates.append(directory.appendingPathComponent("jobledger"))
                directory = directory.deletingLastPathComponent()
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/jobledger"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
    }()

    init(_ executable: URL, _ arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["JOBLEDGER_NOSYNC"] = "1"
        process.environment = environment
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Reads stdout up to the `listening on URL` line; the URL.
    func waitForListeningLine() throws -> String {
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("\n") {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        guard line.hasPrefix("listening on ") else { throw ProcessError.noListeningLine(text) }
        return String(line.dropFirst("listening on ".count))
    }

    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs a `jobledger` command to its end; its stdout as a JSON object.
    static func run(_ executable: URL, _ arguments: [String]) throws -> [String: Any] {
        let child = try ServeProcess(executable, arguments)
        let data = child.output.fileHandleForReading.readDataToEndOfFile()
        child.process.waitUntilExit()
        guard child.process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ProcessError.failed(arguments, String(decoding: data, as: UTF8.self)) }
        return object
    }

    struct HTTPAnswer: Sendable {
        let status: Int
        let body: String
    }

    /// A blocking HTTP request (URLSession answers on its own threads).
    static func request(_ method: String, _ url: String, token: String? = nil, body: String? = nil) -> HTTPAnswer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        let answer = Box<HTTPAnswer>(HTTPAnswer(status: 0, body: ""))
        URLSession.shared.dataTask(with: request) { data, response, _ in
            answer.value = HTTPAnswer(
                status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: String(decoding: data ?? Data(), as: UTF8.self))
            done.signal()
        }.resume()
        done.wait()
        return answer.value
    }

    /// Runs `work` on a thread of its own; `wait()` returns its result.
    static func inBackground(_ work: @escaping @Sendable () -> HTTPAnswer) -> Pending {
        let pending = Pending()
        Thread {
            pending.result.value = work()
            pending.done.signal()
        }.start()
        return pending
    }

    final class Pending: Sendable {
        let done = DispatchSemaphore(value: 0)
        let result = Box<HTTPAnswer>(HTTPAnswer(status: 0, body: ""))
        func wait() -> HTTPAnswer {
            done.wait()
            return result.value
        }
    }

    final class Box<Value: Sendable>: Sendable {
        private let stored: Mutex<Value>
        init(_ value: Value) { stored = Mutex(value) }
        var value: Value {
            get { stored.withLock { $0 } }
            set { stored.withLock { $0 = newValue } }
        }
    }

    enum ProcessError: Error {
        case noListeningLine(String)
        case failed([String], String)
    }
}
