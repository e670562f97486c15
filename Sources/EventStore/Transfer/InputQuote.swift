/// Quotes of user input in error messages, cut to a bounded length so that
/// a megabyte-long field cannot flood a terminal or a log.
public enum InputQuote {
    /// The most characters of input an error message quotes.
    public static let limit = 120

    /// `text` when it has at most `limit` characters; otherwise its first
    /// `limit` characters, an ellipsis and how long the whole was.
    public static func bounded(_ text: String, limit: Int = InputQuote.limit) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.utf8.count) bytes in all)"
    }

    /// Input bytes as text for a message, cut as ``bounded(_:limit:)`` cuts.
    public static func bounded(bytes: some Collection<UInt8>, limit: Int = InputQuote.limit) -> String {
        // Decode no more than the message can show.
        let head = bytes.prefix(limit * 4 + 4)
        let text = String(decoding: head, as: UTF8.self)
        guard text.count > limit || head.count < bytes.count else { return text }
        return String(text.prefix(limit)) + "… (\(bytes.count) bytes in all)"
    }
}
