/// A titled table of text cells, printable as aligned text or CSV.
public struct ReportTable: Sendable, Hashable, Codable {
    /// What the table shows.
    public let title: String
    /// Column headers.
    public let columns: [String]
    /// Rows of cells, as many as there are columns.
    public let rows: [[String]]

    /// Creates a table.
    public init(title: String, columns: [String], rows: [[String]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }

    /// The table with aligned columns under its title.
    public func renderText() -> String {
        let widths = columns.indices.map { column in
            ([columns[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var lines = [title, line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        if rows.isEmpty { lines.append("(none)") }
        return lines.joined(separator: "\n")
    }

    /// The table as CSV with a header row; fields are quoted when needed.
    public func renderCSV() -> String {
        ([columns] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// Quotes a field holding a comma, quote, or line break, doubling quotes.
    public static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
