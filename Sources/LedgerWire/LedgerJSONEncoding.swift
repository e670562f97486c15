import Foundation

/// The ledger's JSON text on the wire and on disk: compact, keys sorted so
/// that equal values give equal bytes, slashes left unescaped.
package enum LedgerJSONEncoding {
    /// An encoder of that form; `dateText`, when given, writes each date as
    /// the string it returns.
    package static func encoder(dateText: (@Sendable (Date) -> String)? = nil) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let dateText {
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(dateText(date))
            }
        }
        return encoder
    }
}
