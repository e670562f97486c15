import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import Testing

@Suite("Readiness")
struct ReadinessTests {
    /// The store probe, built beside the `jobledger` executable.
    static var storeProbe: URL? {
        guard let cli = ServeProcess.executable else { return nil }
        let probe = cli.deletingLastPathComponent().appendingPathComponent("StoreProbe")
        return FileManager.default.isExecutableFile(atPath: probe.path) ? probe : nil
    }

    @Test("readyz answers 503 once another build rebuilt the projections, as every append then is refused")
    func notReadyAfterAnotherBuildRebuiltTheProjections() async throws {
        let probe = try #require(Self.storeProbe, "the StoreProbe executable is not built")
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            #expect(try await client.call(.get, "/readyz", token: nil).status == 200)
            // Another process opens the ledger with other projections, which
            // rebuilds them by its rules, as a newer build does.
            let rebuild = Process()
            rebuild.executableURL = probe
            rebuild.arguments = ["rebuild-projections", fixture.path, "2"]
            rebuild.standardOutput = FileHandle.nullDevice
            try rebuild.run()
            rebuild.waitUntilExit()
            #expect(rebuild.terminationStatus == 0)

            let answer = try await client.call(.get, "/readyz", token: nil)
            #expect(answer.status == 503)
            #expect((answer.json["detail"] as? String)?.contains("must be restarted") == true, "\(answer.text)")
            // What readiness warns of: a submit here is refused.
            let submit = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"type":"email"}"#)
            #expect(submit.status == 503)
            #expect(try await client.call(.get, "/healthz", token: nil).status == 200, "the process is still up")
        }
    }
}
