/// The tokens of JSON-like text, found leniently so that text already
/// damaged by earlier mutations still splits into useful pieces.
struct JSONTokens {
    enum Kind {
        case string, number, literal, punctuation
    }

    struct Token {
        let kind: Kind
        let range: Range<Int>
    }

    let tokens: [Token]

    init(_ bytes: [UInt8]) {
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let start = index
            switch bytes[index] {
            case 0x22:
                index += 1
                while index < bytes.count && bytes[index] != 0x22 && bytes[index] != 0x0A {
                    index += bytes[index] == 0x5C ? 2 : 1
                }
                index = min(index + 1, bytes.count)
                tokens.append(Token(kind: .string, range: start..<index))
            case 0x2D, 0x30...0x39:
                index += 1
                while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
                tokens.append(Token(kind: .number, range: start..<index))
            case 0x61...0x7A:
                while index < bytes.count, (0x61...0x7A).contains(bytes[index]) { index += 1 }
                tokens.append(Token(kind: .literal, range: start..<index))
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            default:
                index += 1
                tokens.append(Token(kind: .punctuation, range: start..<index))
            }
        }
        self.tokens = tokens
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || byte == 0x2E || byte == 0x65 || byte == 0x45 || byte == 0x2B || byte == 0x2D
    }

    /// The tokens that can stand for a value.
    var values: [Token] { tokens.filter { $0.kind != .punctuation } }
}
