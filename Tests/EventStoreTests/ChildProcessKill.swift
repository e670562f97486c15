import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ChildProcess {
    /// Kills the child with SIGKILL after a random delay of at most
    /// `maxMicroseconds`, so that kills land at varying points of what it
    /// does, and expects it to end by that signal. Returns the lines it
    /// printed that were not taken yet (a line the kill cut off is dropped)
    /// and `context` completed with the delay, for messages about them.
    func killAfterRandomDelay(upTo maxMicroseconds: Int, context: String) async throws -> (lines: [String], context: String) {
        let delay = Int.random(in: 0...maxMicroseconds)
        try await Task.sleep(for: .microseconds(delay))
        kill()
        let context = "\(context), killed \(delay) µs later"
        let exit = await waitForExit(timeout: .seconds(10))
        #expect(exit == .signalled(SIGKILL), "\(context): \(exit); stderr: \(errorText)")
        let (lines, complete) = await remainingLines(timeout: .seconds(5))
        #expect(complete, "\(context): output did not end after the kill")
        return (lines, context)
    }
}
