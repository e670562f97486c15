import EventStore
import Foundation
import JobLedger
import Testing

/// Tables printed for people escape what a terminal would act on; tables
/// written as CSV keep a spreadsheet from reading a cell as a formula.
@Suite struct TableOutputTests {
    @Test func textTablesShowControlAndBidiCharactersEscaped() throws {
        let table = ReportTable(
            title: "History of \u{1B}]0;owned\u{7}",
            columns: ["actor", "detail"],
            rows: [["w\u{202E}1", "cancel (\u{1B}[2J\u{1B}[H)"], ["root", "line one\r\nline two\tend"]])
        let text = table.renderText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5, "\(lines)")
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F || $0 == "\u{202E}" })
        #expect(lines[0] == #"History of \u{1B}]0;owned\u{7}"#)
        #expect(lines[3] == #"w\u{202E}1  cancel (\u{1B}[2J\u{1B}[H)"#)
        #expect(lines[4] == #"root        line one\r\nline two\tend"#)
    }

    @Test func csvCellsThatASpreadsheetWouldRunAsFormulasAreGuarded() throws {
        let cells = [
            "=1+1", "+1", "-1+2", "@SUM(A1:A2)", "\tx", "\rx", "'quoted", #"=HYPERLINK("http://x","y")"#,
            "-12", "-0.5e3", "0", "plain", "",
        ]
        let csv = ReportTable(title: "T", columns: ["cell"], rows: cells.map { [$0] }).renderCSV()
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init)
        #expect(Array(lines.prefix(cells.count + 1)) == [
            "'=1+1", "'+1", "'-1+2", "'@SUM(A1:A2)", "'\tx", "\"'\rx\"", "''quoted", #""'=HYPERLINK(""http://x"",""y"")""#,
            "-12", "-0.5e3", "0", "plain", "", "",
        ])
        #expect(CSVField.original(of: Array("''quoted".utf8)) == Array("'quoted".utf8))
    }
}
