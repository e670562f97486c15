/// Text from the ledger made safe to show on a terminal.
///
/// Reasons, error messages, payloads and ids given on the command line are
/// stored as they were given, and may hold bytes a terminal acts on: ESC
/// starts sequences that retitle the window or clear the screen, BEL rings,
/// CR and LF rewrite or add lines, and bidirectional controls reorder what
/// the reader sees. Every table (``ReportTable/renderText()``) and every
/// error message the command line prints goes through ``escaped(_:keepingLineFeeds:)``,
/// so such characters show as visible escapes and never act. JSON output
/// escapes control characters by its own rules, and CSV keeps the exact text
/// for programs to read.
public enum TerminalText {
    /// `text` with each character a terminal could act on or hide replaced by
    /// a visible escape: `\n`, `\r` and `\t` for line feed, carriage return
    /// and tab, `\u{1B}` (the code point in hex) for every other control
    /// character (C0, DEL, C1), invisible formatting character (zero-width
    /// and bidirectional controls among them) and line or paragraph
    /// separator. Everything else, backslashes included, is left as it is.
    ///
    /// With `keepingLineFeeds`, line feeds stay line feeds: for messages of
    /// several lines whose lines are already escaped.
    public static func escaped(_ text: String, keepingLineFeeds: Bool = false) -> String {
        // Printable ASCII, the usual case, needs no look at Unicode properties.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if keepingLineFeeds && scalar == "\n" || !actsOnTerminal(scalar) {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }

    /// Whether `scalar` is a control character, an invisible formatting
    /// character or a line or paragraph separator.
    static func actsOnTerminal(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value >= 0x20 && scalar.value < 0x7F { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
