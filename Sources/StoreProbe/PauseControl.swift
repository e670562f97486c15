import Foundation
import Synchronization

/// Lines a parent sends on standard input to a looping child: `pause`
/// holds the loop between two commands, `resume` lets it go on, and `stop`
/// (or the end of input) ends it.
final class PauseControl: Sendable {
    private struct State {
        var paused = false
        var stopped = false
    }

    private let state = Mutex(State())

    /// Starts a thread that reads standard input.
    static func watchStandardInput() -> PauseControl {
        let control = PauseControl()
        let thread = Thread {
            while let line = readLine(), line != "stop" {
                control.state.withLock { state in
                    if line == "pause" { state.paused = true }
                    if line == "resume" { state.paused = false }
                }
            }
            control.state.withLock { $0.stopped = true }
        }
        thread.start()
        return control
    }

    /// Call between two commands: when a pause was asked for, runs
    /// `announce` and waits for `resume`. Returns false once `stop` arrived.
    func proceed(announce: () -> Void) -> Bool {
        if state.withLock({ $0.paused && !$0.stopped }) {
            announce()
            // Pauses last a fraction of a second; a millisecond's polling is plenty.
            while state.withLock({ $0.paused && !$0.stopped }) { usleep(1_000) }
        }
        return !state.withLock { $0.stopped }
    }
}
