import Foundation
import JobLedger

/// The command line's own text as the process received it, checked before
/// parsing, and the parser's messages made safe to print.
enum CommandLineText {
    /// An error naming the first argument that is not valid UTF-8, or `nil`.
    ///
    /// The arguments the parser sees were already decoded with every invalid
    /// byte replaced by U+FFFD, which is a valid character in JSON: a bad
    /// `--payload` would be stored changed without a word. So the raw bytes
    /// are checked here and any option holding invalid UTF-8 is refused,
    /// named, before anything runs.
    static func firstInvalidUTF8Argument() -> CLIError? {
        var previous: String? = nil
        for index in 1..<max(1, Int(CommandLine.argc)) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            if let text = String(validatingCString: pointer) {
                previous = text
                continue
            }
            let bytes = Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer))).map { UInt8(bitPattern: $0) }
            let problem = firstInvalidByte(bytes)
            if bytes.starts(with: Array("--".utf8)), let equals = bytes.firstIndex(of: UInt8(ascii: "=")),
               let option = String(validating: bytes[..<equals], as: UTF8.self) {
                return .badInput("invalid \(option): the value is not valid UTF-8 (\(problem))")
            }
            if let option = previous, option.hasPrefix("-"), !option.contains("=") {
                return .badInput("invalid \(option): the value is not valid UTF-8 (\(problem))")
            }
            return .badInput("argument \(index) is not valid UTF-8 (\(problem))")
        }
        return nil
    }

    /// `byte 0xFF at offset 3`: where the first ill-formed sequence starts.
    static func firstInvalidByte(_ bytes: [UInt8]) -> String {
        var offset = 0
        while offset < bytes.count {
            let length = bytes[offset] < 0x80 ? 1 : bytes[offset] < 0xE0 ? 2 : bytes[offset] < 0xF0 ? 3 : 4
            let end = min(bytes.count, offset + length)
            if String(validating: bytes[offset..<end], as: UTF8.self) == nil { break }
            offset = end
        }
        let byte = offset < bytes.count ? bytes[offset] : 0
        return "byte 0x" + String(byte, radix: 16, uppercase: true) + " at offset \(offset)"
    }

    /// A message of the argument parser, which quotes the arguments it
    /// refuses, with each argument's control and invisible formatting
    /// characters escaped (``TerminalText``); the message's own line breaks
    /// stay.
    static func escapedParserMessage(_ message: String) -> String {
        var message = message
        for argument in CommandLine.arguments.dropFirst() {
            let escaped = TerminalText.escaped(argument)
            if escaped != argument { message = message.replacingOccurrences(of: argument, with: escaped) }
        }
        return TerminalText.escaped(message, keepingLineFeeds: true)
    }
}
