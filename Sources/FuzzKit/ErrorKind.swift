/// Reduces an error's text to its kind, so that errors that differ only in
/// numbers, quoted values or offsets count once.
package enum ErrorKind {
    /// `text` with numbers (decimal or `0x` hex) as `N`, quoted text as
    /// `'…'`, cut to 100 characters.
    package static func normalize(_ text: String) -> String {
        var result = ""
        var inQuote = false
        var inNumber = false
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == "'" {
                if !inQuote { result.append("'…'") }
                inQuote.toggle()
                inNumber = false
                continue
            }
            if inQuote { continue }
            if character.isASCII && character.isNumber {
                if !inNumber { result.append("N") }
                inNumber = true
                // A hex number: skip its `x` and hex digits too.
                if character == "0", index < characters.count, characters[index] == "x" {
                    index += 1
                    while index < characters.count, characters[index].isHexDigit { index += 1 }
                }
                continue
            }
            inNumber = false
            result.append(character)
        }
        return String(result.prefix(100))
    }
}
