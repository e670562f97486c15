import Foundation
import JobLedger

/// The jobs table's search by a payload field, `field=value`: jobs whose
/// payload is a JSON object with that member (a dotted name reaches into
/// nested objects) equal to the value: the same text for a string, the
/// same number for a number, `true`, `false` or `null`.
///
/// Payloads are not indexed: the search reads the filtered listing in its
/// order, at most ``scanBound`` jobs a page, and says where it stopped, so
/// a page costs a bounded read whatever the ledger's size.
struct PayloadSearch: Sendable {
    /// Jobs whose payload one page of results reads at most.
    static let scanBound = 5_000
    /// Jobs read from the listing at a time.
    static let chunk = 100
    /// A page stops reading once it holds this many matches.
    static let wanted = 50

    let path: [String]
    let value: String

    /// Parses `field=value`; the field is required, the value may be empty.
    init(_ text: String) throws {
        guard let equals = text.firstIndex(of: "=") else {
            throw Problem(.badInput, "payload: '\(text)' is not field=value (such as customer=42 or order.id=A-7)")
        }
        let field = text[..<equals].trimmingCharacters(in: .whitespaces)
        let parts = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !field.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw Problem(.badInput, "payload: the field name before '=' is empty in '\(text)'")
        }
        path = parts
        value = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
    }

    /// Whether `job`'s payload holds the field with the value.
    func matches(_ job: Job) -> Bool {
        guard var current = try? JSONDecoder().decode(Value.self, from: Data(job.payload.utf8)) else { return false }
        for name in path {
            guard case .object(let members) = current, let next = members[name] else { return false }
            current = next
        }
        switch current {
        case .string(let text): return text == value
        case .number(let number): return Double(value).map { $0 == number } ?? false
        case .bool(let flag): return value == (flag ? "true" : "false")
        case .null: return value == "null"
        case .object, .other: return false
        }
    }

    /// A JSON value, as far as the search compares it.
    enum Value: Decodable {
        case string(String), number(Double), bool(Bool), null
        case object([String: Value])
        /// An array: never equal to a searched value.
        case other

        init(from decoder: any Decoder) throws {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let flag = try? single.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? single.decode(Double.self) {
                self = .number(number)
            } else if let text = try? single.decode(String.self) {
                self = .string(text)
            } else if let members = try? single.decode([String: Value].self) {
                self = .object(members)
            } else {
                self = .other
            }
        }
    }

    /// The result of one page of a search.
    struct Page: Sendable {
        var jobs: [Job] = []
        var scanned = 0
        /// Where the next page goes on, or nil when the listing ended.
        var next: String?
    }

    /// Reads the listing of `query` from `cursor` until ``wanted`` matches,
    /// ``scanBound`` jobs read, or the listing's end.
    func page(_ ledger: JobLedger, _ query: JobQuery, after cursor: String?) throws -> Page {
        var result = Page(next: cursor)
        repeat {
            let listing = try ledger.list(query, limit: Self.chunk, after: result.next)
            result.scanned += listing.jobs.count
            result.jobs += listing.jobs.filter(matches)
            result.next = listing.next
        } while result.next != nil && result.jobs.count < Self.wanted && result.scanned < Self.scanBound
        return result
    }
}
