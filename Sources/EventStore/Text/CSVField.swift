/// The one writer of CSV fields: the CSV export of events and every table
/// the ledger prints as CSV go through it.
///
/// Fields are written as RFC 4180 describes: a field holding a comma, a
/// quote or a line break is quoted, with inner quotes doubled.
///
/// A field is also kept from being read as a formula when the file is opened
/// in a spreadsheet: a field that begins with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets an apostrophe (`'`) in front, inside the quotes
/// when it is quoted, so a spreadsheet shows it as text instead of running
/// it. A field that begins with an apostrophe gets one more, so a program
/// reads every field back exactly by dropping one leading apostrophe
/// whenever a field starts with one (``original(of:)``). The one exception
/// is a plain number, such as `-12` or `-0.5e3` (the JSON number form): it
/// keeps its minus sign and stays a number for the spreadsheet, since no
/// spreadsheet runs it and a guard would turn negative figures into text.
public enum CSVField {
    /// Appends `bytes`, UTF-8 text, as one field.
    public static func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let guarded = needsGuard(bytes)
        let quoted = bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if quoted { output.append(0x22) }
        if guarded { output.append(0x27) }
        guard quoted else {
            output.append(contentsOf: bytes)
            return
        }
        var runStart = 0
        for index in 0..<bytes.count where bytes[index] == 0x22 {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart...index]))
            output.append(0x22)
            runStart = index + 1
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
        output.append(0x22)
    }

    /// `text` as one field.
    public static func text(_ text: String) -> String {
        var output: [UInt8] = []
        Array(text.utf8).withUnsafeBytes { append($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The text a field held before it was written, given the field with its
    /// quoting already undone: the field without the one leading apostrophe
    /// ``append(_:to:)`` adds.
    public static func original(of field: [UInt8]) -> [UInt8] {
        field.first == 0x27 ? Array(field.dropFirst()) : field
    }

    /// Whether the field needs an apostrophe in front.
    static func needsGuard(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case 0x3D, 0x2B, 0x40, 0x09, 0x0D, 0x27: return true  // = + @ tab CR '
        case 0x2D: return !isPlainNumber(bytes)  // -
        default: return false
        }
    }

    /// Whether `bytes` is exactly a number in the JSON form:
    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isPlainNumber(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        func at(_ offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        func digits() -> Bool {
            guard isDigit(at(index)) else { return false }
            while isDigit(at(index)) { index += 1 }
            return true
        }
        if at(index) == 0x2D { index += 1 }
        if at(index) == 0x30 {
            index += 1
        } else if !digits() {
            return false
        }
        if at(index) == 0x2E {
            index += 1
            guard digits() else { return false }
        }
        if at(index) == 0x65 || at(index) == 0x45 {
            index += 1
            if at(index) == 0x2B || at(index) == 0x2D { index += 1 }
            guard digits() else { return false }
        }
        return index == bytes.count
    }
}
