import Foundation

/// The one rule for names: job ids, batch ids, job types, owners,
/// organisations, actors and workers.
///
/// Every command and query of ``JobLedger`` passes the names it is given
/// through ``name(_:field:)`` (or ``id(_:field:)`` for ids) before it reads
/// or writes anything, so the command line and any other front end get the
/// rule without doing anything. A name is brought to Unicode Normalization
/// Form C (NFC) and then checked; from there on names are compared as the
/// bytes of that form everywhere: by authorization (``JobDecider``), by the
/// indexes (whose keys are those bytes) and by lookups. Swift's `==` on
/// strings compares canonical equivalence instead, which agrees with the
/// indexes only when both sides are normalized; comparing bytes keeps all
/// three in step even for a name a ledger stored before this rule.
///
/// Why NFC: it is the form almost all text already arrives in (keyboards,
/// web forms and the W3C all produce it), so most names are stored exactly
/// as typed; it only merges spellings that Unicode defines as the same text
/// (canonical equivalence: `e` + U+0301 and `é`, U+212B ANGSTROM SIGN and
/// `Å`, Hangul jamo and the syllable they spell), never characters that
/// merely look alike, as the compatibility forms NFKC and NFKD would (`ﬁ`
/// and `fi`, `²` and `2`); and Unicode guarantees that text in NFC stays in
/// NFC under later versions of the standard, so a stored name never needs
/// normalizing again. Unassigned code points are refused because that
/// guarantee covers assigned characters only.
public enum NameRule {
    /// The longest name, in UTF-8 bytes of its normalized form.
    public static let maxNameBytes = 200
    /// The longest id, in bytes.
    public static let maxIDBytes = 128

    /// `value` in NFC, the form the ledger stores and compares.
    public static func normalized(_ value: String) -> String {
        // ASCII text is its own NFC; skip the conversion on the common path.
        if value.utf8.allSatisfy({ $0 < 0x80 }) { return value }
        return value.precomposedStringWithCanonicalMapping
    }

    /// The stored form of a name given by a caller: normalized to NFC, then
    /// checked as ``check(_:field:)`` checks. Throws ``JobLedgerError/invalidInput(field:reason:)``
    /// naming `field` when the name is not acceptable.
    public static func name(_ value: String, field: String) throws(JobLedgerError) -> String {
        let stored = normalized(value)
        try checkCharacters(stored, field: field)
        return stored
    }

    /// Checks a name that should already be in its stored form (for example
    /// one read from an import): not empty, at most ``maxNameBytes`` bytes,
    /// not only whitespace and neither beginning nor ending with it, none of
    /// the characters ``forbiddenCharacter(_:)`` names, and in NFC.
    public static func check(_ value: String, field: String) throws(JobLedgerError) {
        try checkCharacters(value, field: field)
        guard value.utf8.elementsEqual(normalized(value).utf8) else {
            throw .invalidInput(field: field, reason: "is not in Unicode normalization form C (NFC)")
        }
    }

    /// Everything ``check(_:field:)`` checks but the normal form.
    private static func checkCharacters(_ value: String, field: String) throws(JobLedgerError) {
        guard !value.isEmpty else { throw .invalidInput(field: field, reason: "must not be empty") }
        let bytes = value.utf8.count
        guard bytes <= maxNameBytes else {
            throw .invalidInput(field: field, reason: "is \(bytes) bytes; the limit is \(maxNameBytes)")
        }
        let first: Bool
        let last: Bool
        let onlySpace: Bool
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            // Printable ASCII, the usual case: the only character to look at is the space.
            first = value.utf8.first == 0x20
            last = value.utf8.last == 0x20
            onlySpace = value.utf8.allSatisfy { $0 == 0x20 }
        } else {
            let scalars = value.unicodeScalars
            for (offset, scalar) in scalars.enumerated() {
                if let kind = forbiddenCharacter(scalar) {
                    throw .invalidInput(
                        field: field,
                        reason: "holds \(describe(scalar)) (\(kind)) at character \(offset + 1); names may not hold "
                            + "control, zero-width, bidirectional or other invisible formatting characters")
                }
            }
            first = scalars.first!.properties.isWhitespace
            last = scalars.last!.properties.isWhitespace
            onlySpace = scalars.allSatisfy(\.properties.isWhitespace)
        }
        if onlySpace { throw .invalidInput(field: field, reason: "is only whitespace") }
        if first || last { throw .invalidInput(field: field, reason: "begins or ends with whitespace") }
    }

    /// Checks an id (a job id or a batch id): ASCII letters, digits and
    /// `. _ : -`, at most ``maxIDBytes`` bytes. Such text is its own NFC.
    @discardableResult
    public static func id(_ value: String, field: String = "job id") throws(JobLedgerError) -> String {
        guard !value.isEmpty else { throw .invalidInput(field: field, reason: "must not be empty") }
        guard value.utf8.count <= maxIDBytes else {
            throw .invalidInput(field: field, reason: "is \(value.utf8.count) bytes; the limit is \(maxIDBytes)")
        }
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
        }
        guard allowed else {
            throw .invalidInput(field: field, reason: "'\(value)' may hold only ASCII letters, digits and . _ : -")
        }
        return value
    }

    /// Whether two names are the same name: equal bytes. Names that went
    /// through ``name(_:field:)`` are normalized, so canonically equivalent
    /// spellings given by callers are the same bytes here.
    public static func same(_ first: String, _ second: String) -> Bool {
        first.utf8.elementsEqual(second.utf8)
    }

    /// ``same(_:_:)`` for optional names: two absent names are the same.
    public static func same(_ first: String?, _ second: String?) -> Bool {
        switch (first, second) {
        case let (first?, second?): return same(first, second)
        case (nil, nil): return true
        default: return false
        }
    }

    /// What kind of character `scalar` is when names may not hold it, or
    /// `nil` when they may:
    ///
    /// - control characters (C0, DEL and C1);
    /// - zero-width characters: U+200B, U+200C, U+200D, U+2060, U+FEFF;
    /// - bidirectional controls: U+061C, U+200E, U+200F, U+202A to U+202E,
    ///   U+2066 to U+2069;
    /// - every other invisible formatting character (general category Cf,
    ///   such as the soft hyphen and tag characters), line and paragraph
    ///   separators;
    /// - unassigned code points and noncharacters;
    /// - U+FFFD, which stands for bytes that were not valid UTF-8.
    public static func forbiddenCharacter(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x200B...0x200D, 0x2060, 0xFEFF: return "a zero-width character"
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return "a bidirectional control"
        case 0xFFFD: return "the replacement character, left where bytes were not valid UTF-8"
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control: return "a control character"
        case .format: return "an invisible formatting character"
        case .lineSeparator, .paragraphSeparator: return "a line or paragraph separator"
        case .unassigned: return "an unassigned code point"
        default: return nil
        }
    }

    /// `U+202E RIGHT-TO-LEFT OVERRIDE`, `U+001B ESCAPE`, or just the code point.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let name = scalar.properties.name ?? controlNames[scalar.value]
        return name.map { "\(code) \($0)" } ?? code
    }

    /// Names of the control characters people meet most (Unicode gives
    /// control characters no name, only aliases the standard library lacks).
    private static let controlNames: [UInt32: String] = [
        0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED",
        0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE",
    ]
}
