import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Runs the command, mapping usage and validation errors to exit code 2
    /// (the parser's own convention would be 64): the entry of `jobledger` and of `jobledger-server`.
    /// Arguments that are not valid UTF-8 are refused first; error messages
    /// are printed with control characters escaped.
    package static func runAsExecutable(arguments: [String]? = nil) async {
        if let refusal = CommandLineText.firstInvalidUTF8Argument() {
            writeError(refusal)
            Foundation.exit(refusal.exitCode)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code != .success && !message.isEmpty {
                OutputWrites.standardError((CommandLineText.escapedParserMessage(message) + "\n"))
                Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
            }
            exit(withError: error)
        }
    }
}
