/// Reduces an error's text to its kind, so that errors that differ only in
/// numbers, quoted values or offsets count once.
package enum ErrorKind {
    /// `text` with numbers (decimal or `0x` hex) as `N`, quoted text as
    /// `'…'`, control characters as spaces, cut to 100 characters.
    ///
    /// A quote opens after a space, a colon or the start of the text and
    /// closes before a space, punctuation or the end, so apostrophes and
    /// quotes inside quoted values do not end them early.
    package static func normalize(_ text: String) -> String {
        var result = ""
        let characters = Array(text)
        var index = 0
        var inNumber = false
        while index < characters.count {
            let character = characters[index]
            if character == "'" && (index == 0 || characters[index - 1] == " " || characters[index - 1] == ":"),
               let close = closingQuote(characters, after: index) {
                result.append("'…'")
                index = close + 1
                inNumber = false
                continue
            }
            index += 1
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
            result.append(character.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control } ? " " : character)
        }
        return String(result.prefix(100))
    }

    /// The last quote after `open` that is followed by the end, a space or
    /// punctuation and comes before the next `': '`-style break.
    private static func closingQuote(_ characters: [Character], after open: Int) -> Int? {
        var found: Int?
        var index = open + 1
        while index < characters.count {
            if characters[index] == "'" {
                let next = index + 1 < characters.count ? characters[index + 1] : " "
                if next == " " || next == "," || next == ":" || next == ";" || next == ")" || next == "." {
                    found = index
                    if next == " " || next == ":" { return found }
                }
            }
            index += 1
        }
        return found
    }
}
