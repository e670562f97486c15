import Foundation
import LedgerWire

/// Any JSON value of a request body, decoded with exact types (a `true` is
/// never a 1, a whole number stays whole), so bodies can be checked field by
/// field.
typealias JSONValue = JSONTree<BodyNumber>

/// A number of a request body: whole numbers that fit an `Int64` exactly,
/// any other number as a `Double`.
enum BodyNumber: Codable, Sendable, Hashable {
    /// A whole number in `Int64`'s range.
    case integer(Int64)
    /// Any other number.
    case fraction(Double)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else {
            self = .fraction(try container.decode(Double.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .fraction(let value): try container.encode(value)
        }
    }
}
