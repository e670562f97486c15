import Foundation
import JobLedger
import JobLedgerClient
import Testing

/// The Python worker of Fixtures/python, standard library only, against a
/// live server: any language can claim, renew, complete, fail and
/// acknowledge a cancel.
@Suite struct PythonWorkerTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/python/worker.py")

    @Test func thePythonWorkerCompletesFailsAndAcknowledgesACancelThenGoesOn() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        _ = try await owner.submit(NewJob(id: "py-first", type: "hung"))
        let python = try RunningProcess(
            "python worker", executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: [
                "python3", Self.script.path, "--url", server.url, "--token", try server.token("py", role: .worker),
                "--work-ms", "50", "--lease", "5", "--renew-interval", "0.05", "--wait", "5", "--fail-type", "broken", "--hang-type", "hung",
                "--max-jobs", "5",
            ])
        #expect(await python.waitForLines(count: 1) { $0 == "claimed py-first 1" }, "\(python.errorTail)")
        #expect(try await owner.cancel("py-first", reason: "changed my mind").outcome == .cancelRequested)
        #expect(await python.waitForLines(count: 1) { $0 == "settled cancelAcknowledged py-first 1 acknowledged" }, "\(python.lines)")

        for index in 0..<3 {
            _ = try await owner.submit(NewJob(id: "py-\(index)", type: "mail", payload: .object(["n": .number(Double(index))])))
        }
        _ = try await owner.submit(NewJob(id: "py-broken", type: "broken", maxAttempts: 1))
        #expect(await python.waitForExit(timeout: .seconds(20)) == 0, "\(python.errorTail)")
        #expect(python.lines.last?.hasPrefix("summary ") == true)
        for index in 0..<3 {
            let job = try await owner.job("py-\(index)")
            #expect(job.state == .completed)
            #expect(job.worker == "py")
            #expect(job.result?["worker"] == .string("python"))
            #expect(job.result?["input"] == .object(["n": .number(Double(index))]))
        }
        let broken = try await owner.job("py-broken")
        #expect(broken.state == .failed)
        #expect(broken.error?.contains("fail in this worker") == true)
        #expect(try await owner.job("py-first").state == .cancelled)
        #expect(await server.stop() == 0)
        #expect(try historyProblems(
            try server.openLedger(), ids: ["py-first", "py-0", "py-1", "py-2", "py-broken"],
            requesters: [Actor(id: "alice", role: .user, organisation: "acme")]) == [])
    }
}
