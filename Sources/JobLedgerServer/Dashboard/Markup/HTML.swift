/// A piece of HTML in which every interpolated string is escaped.
///
/// This is the dashboard's one escaping path: the literal parts of an
/// `HTML` value are markup written in this source code, and every
/// interpolated `String` (ids, reasons, payloads, errors, names: anything a
/// user or a worker wrote) goes through ``escape(_:)``. Markup built
/// elsewhere is inserted by interpolating an `HTML` value, which was
/// itself built the same way. There is no interpolation of optionals or of
/// arbitrary values, so a value cannot reach the page by another road.
public struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup text.
    public private(set) var text: String

    /// Markup written in source code, taken as it is.
    public init(stringLiteral value: String) { text = value }

    /// Markup assembled from literals and escaped values.
    public init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    /// The markup text.
    public var description: String { text }

    /// No markup.
    public static let empty: HTML = ""

    /// The pieces one after another.
    public static func joined(_ pieces: [HTML], separator: HTML = .empty) -> HTML {
        var result = HTML.empty
        for (index, piece) in pieces.enumerated() {
            if index > 0 { result.text += separator.text }
            result.text += piece.text
        }
        return result
    }

    /// `text` with the five characters that can end an element, an
    /// attribute value or an entity (`&`, `<`, `>`, `"`, `'`) replaced by
    /// character references: safe in element content and in quoted
    /// attribute values alike.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Builds an ``HTML`` value: literals as they are, values escaped.
    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        /// Reserves room for the literal parts.
        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        /// Markup written in source code.
        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// A value of any origin: always escaped.
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }

        /// A substring of any origin: always escaped.
        public mutating func appendInterpolation(_ value: Substring) { text += HTML.escape(String(value)) }

        /// A number.
        public mutating func appendInterpolation<Number: BinaryInteger>(_ value: Number) { text += String(value) }

        /// Markup built by ``HTML`` itself.
        public mutating func appendInterpolation(_ html: HTML) { text += html.text }

        /// Several pieces of markup, one after another.
        public mutating func appendInterpolation(_ pieces: [HTML]) {
            for piece in pieces { text += piece.text }
        }
    }
}
