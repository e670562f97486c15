import EventStore

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

    /// The table with aligned columns under its title, for a terminal: the
    /// title, headers and cells have their control and invisible formatting
    /// characters escaped (``TerminalText``), so stored text can neither act
    /// on the terminal nor break the alignment.
    public func renderText() -> String {
        let columns = columns.map { TerminalText.escaped($0) }
        let rows = rows.map { $0.map { TerminalText.escaped($0) } }
        let widths = columns.indices.map { column in
            ([columns[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var lines = [TerminalText.escaped(title), line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        if rows.isEmpty { lines.append("(none)") }
        return lines.joined(separator: "\n")
    }

    /// The table as CSV with a header row, each field written by the
    /// ledger's one CSV writer (``CSVField``): quoted when needed, and kept
    /// from being read as a spreadsheet formula.
    public func renderCSV() -> String {
        ([columns] + rows).map { $0.map(CSVField.text).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}
