import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// `jobledger events --follow` run as a real process while other processes
/// submit jobs: whatever it starts from, it prints every position from there
/// to the last one appended, once and in order.
@Suite struct EventsFollowCommandTests {
    /// A child process whose standard output and error are gathered as
    /// they arrive.
    final class Running: Sendable {
        let name: String
        private let process: Process
        private let input: FileHandle
        private let output = Gathered()
        private let errors = Gathered()

        /// Bytes a reading thread appends to.
        final class Gathered: Sendable {
            let bytes = Mutex<[UInt8]>([])
            var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
        }

        init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], name: String) throws {
            self.name = name
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let inputPipe = Pipe()
            let outputPipe = Pipe()
            let errorPipe = Pipe()
            process.standardInput = inputPipe
            process.standardOutput = outputPipe
            process.standardError = errorPipe
            try process.run()
            self.process = process
            input = inputPipe.fileHandleForWriting
            Self.gather(outputPipe.fileHandleForReading, into: output)
            Self.gather(errorPipe.fileHandleForReading, into: errors)
        }

        private static func gather(_ handle: FileHandle, into buffer: Gathered) {
            let handle = UncheckedHandle(handle: handle)
            Thread {
                while true {
                    let data = handle.handle.availableData
                    if data.isEmpty { return }
                    buffer.bytes.withLock { $0.append(contentsOf: data) }
                }
            }.start()
        }

        /// Wraps a file handle read by one thread only.
        private struct UncheckedHandle: @unchecked Sendable { let handle: FileHandle }

        var outputText: String { output.text }
        var errorText: String { errors.text }
        var isRunning: Bool { process.isRunning }

        func send(_ line: String) { input.write(Data((line + "\n").utf8)) }

        /// Ends the process with SIGTERM if it still runs.
        func terminate() { if process.isRunning { process.terminate() } }

        /// Waits up to `timeout` for the process to end; its exit status, or `nil`.
        func waitForExit(timeout: Duration) async throws -> Int32? {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                if ContinuousClock.now > deadline { return nil }
                try await Task.sleep(for: .milliseconds(5))
            }
            return process.terminationStatus
        }

        /// The `"position"` of every whole JSON line printed so far.
        var positions: [UInt64] {
            let text = outputText
            let whole = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
            return whole.split(separator: "\n").map { line in
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return (object?["position"] as? NSNumber)?.uint64Value ?? 0
            }
        }

        deinit {
            if process.isRunning { process.terminate() }
        }
    }

    @Test("events --follow from the start, the middle and the end prints every position once while jobs are submitted",
          .timeLimit(.minutes(1)))
    func followPrintsEveryPositionOnceWhileOtherProcessesSubmit() async throws {
        let jobledger = try #require(CommandLineRunner.executable)
        let probe = try #require(CommandLineRunner.executable(named: "StoreProbe"), "StoreProbe is not built")
        let scratch = ScratchDirectory()
        let path = scratch.path + "/ledger"
        var options = JobLedgerOptions()
        options.store = .noSync
        let ledger = try JobLedger(path: path, options: options)
        // A few thousand stored events, so that the catch-up takes a while.
        for index in 0..<16 {
            _ = try await ledger.store.append(
                to: "filler-\(index)", expectedVersion: .noStream,
                events: (0..<200).map { EventData(type: "Filler", json: #"{"n":\#($0)}"#, actor: "test") })
        }
        let submitters = try (0..<2).map { index in
            try Running(probe, ["submit-jobs", path, "p\(index)"], name: "submit-jobs \(index)")
        }
        defer { for submitter in submitters { submitter.terminate() } }
        let started = ContinuousClock.now
        let filled = try ledger.store.lastPosition()
        while try ledger.store.lastPosition() < filled + 50 {
            if ContinuousClock.now - started > .seconds(20) {
                Issue.record("the submitters wrote nothing: \(submitters.map(\.errorText))")
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }

        // Followers start while the submitters keep appending.
        let end = try ledger.store.lastPosition()
        let environment = ["JOBLEDGER_DB": path, "JOBLEDGER_NOSYNC": "1"]
        let followers = try [("start", UInt64(1)), ("middle", end / 2), ("end", end + 1)].map { name, from in
            (from: from, process: try Running(
                jobledger, ["events", "--follow", "--from", "\(from)"], environment: environment,
                name: "events --follow --from \(from) (\(name))"))
        }
        defer { for follower in followers { follower.process.terminate() } }
        while try ledger.store.lastPosition() < end + 600 && ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(5))
        }
        for submitter in submitters { submitter.send("stop") }
        for submitter in submitters {
            let status = try await submitter.waitForExit(timeout: .seconds(20))
            #expect(status == 0, "\(submitter.name): \(status.map(String.init) ?? "still running"); \(submitter.errorText)")
        }
        let final = try ledger.store.lastPosition()
        #expect(final > end + 100, "the submitters wrote too little while the followers ran")

        let waitStart = ContinuousClock.now
        while followers.contains(where: { ($0.process.positions.last ?? 0) < final })
            && followers.allSatisfy(\.process.isRunning) && ContinuousClock.now - waitStart < .seconds(20) {
            try await Task.sleep(for: .milliseconds(10))
        }
        // A little longer, so that anything printed after the last event would show.
        try await Task.sleep(for: .milliseconds(100))
        for follower in followers {
            #expect(follower.process.isRunning, "\(follower.process.name) ended: \(follower.process.errorText)")
            follower.process.terminate()
            let received = follower.process.positions
            let expected = Array(follower.from...final)
            let missing = Set(expected).subtracting(received).sorted()
            #expect(received == expected,
                    "\(follower.process.name): \(received.count) lines for \(expected.count) positions; missing \(missing.count) (first \(missing.first.map(String.init) ?? "none")), \(received.count - Set(received).count) duplicates")
        }
    }
}
