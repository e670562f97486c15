import EventStore
import Foundation

/// One point of the throughput-versus-clients sweep.
struct SweepPoint: Codable, Sendable {
    /// Concurrent clients, each appending to a stream of its own.
    var clients: Int
    /// Durable appends per second on SQLite.
    var sqlite: Double
    /// Durable appends per second on the ledger's event store.
    var jobledger: Double
    /// Appends each system made at this point.
    var appends: Int
}

/// Durable one-event appends per second on SQLite and on the ledger, for
/// several numbers of concurrent clients (the shape of comparison workload
/// 2: each client appends to its own stream with the version it knows).
/// At every point both systems make the same number of appends, split
/// among the clients; the two alternate which goes first.
enum ClientSweep {
    static func run(
        counts: BenchCounts, scratch: ScratchDirectory, mode: SQLiteConnections, events: BenchEvents
    ) throws -> [SweepPoint] {
        let store = try EventStore.open(at: scratch.directory(for: "sweep-ledger"))
        let database = try SQLiteDatabase(path: scratch.directory(for: "sweep.sqlite"), mode: mode)
        let payload = Data(events.payload)
        var points: [SweepPoint] = []
        for (index, clients) in counts.sweepClients.enumerated() {
            let perClient = max(1, counts.sweepAppends / clients)
            let ledgerSide = { () throws -> Double in
                try ClientThreads.run(clients, name: "sweep-ledger") { client in
                    let stream = "sweep-\(clients)-\(client)"
                    var version: UInt64 = 0
                    for _ in 0..<perClient {
                        let result = try store.append(to: stream, expectedVersion: .exact(version), events: [events.make()])
                        version = result.streams[0].version
                    }
                }
            }
            let connections = try database.connections(clients)
            let sqliteSide = { () throws -> Double in
                try ClientThreads.run(clients, name: "sweep-sqlite") { client in
                    let stream = "sweep-\(clients)-\(client)"
                    for version in 0..<Int64(perClient) {
                        guard try SQLiteEvents.append(
                            connections[client], stream: stream, expected: version, type: "JobProgressed", actor: "bench",
                            payload: payload)
                        else { throw BenchError.verification("SQLite sweep: unexpected conflict") }
                    }
                }
            }
            var ledgerSeconds = 0.0
            var sqliteSeconds = 0.0
            if index % 2 == 0 {
                ledgerSeconds = try ledgerSide()
                sqliteSeconds = try sqliteSide()
            } else {
                sqliteSeconds = try sqliteSide()
                ledgerSeconds = try ledgerSide()
            }
            let appends = perClient * clients
            points.append(SweepPoint(
                clients: clients, sqlite: Double(appends) / max(sqliteSeconds, 1e-9),
                jobledger: Double(appends) / max(ledgerSeconds, 1e-9), appends: appends))
            Progress.note(String(
                format: "clients: %d clients, %d appends each side: ledger %.0f/s, SQLite %.0f/s", clients, appends,
                points.last!.jobledger, points.last!.sqlite))
        }
        return points
    }
}

/// Draws the sweep as a small SVG line chart, written by hand: no
/// dependencies, readable as text.
enum ThroughputChart {
    static func svg(_ points: [SweepPoint], subtitle: String) -> String {
        let width = 720.0
        let height = 440.0
        let left = 90.0
        let right = 30.0
        let top = 70.0
        let bottom = 70.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let highest = points.flatMap { [$0.sqlite, $0.jobledger] }.max() ?? 1
        let (ceiling, step) = scale(highest)
        func x(_ index: Int) -> Double {
            points.count < 2 ? left + plotWidth / 2 : left + plotWidth * Double(index) / Double(points.count - 1)
        }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - value / ceiling) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var lines: [String] = []
        lines.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">"##)
        lines.append(##"<rect width="100%" height="100%" fill="#ffffff"/>"##)
        lines.append(##"<text x="\##(f(width / 2))" y="26" text-anchor="middle" font-size="16" font-weight="bold">Durable appends per second against concurrent clients</text>"##)
        lines.append(##"<text x="\##(f(width / 2))" y="46" text-anchor="middle" fill="#555555">\##(escape(subtitle))</text>"##)
        var tick = 0.0
        while tick <= ceiling + step / 2 {
            lines.append(##"<line x1="\##(f(left))" y1="\##(f(y(tick)))" x2="\##(f(width - right))" y2="\##(f(y(tick)))" stroke="#e3e3e3"/>"##)
            lines.append(##"<text x="\##(f(left - 8))" y="\##(f(y(tick) + 4))" text-anchor="end">\##(ReportTable.grouped(Int(tick)))</text>"##)
            tick += step
        }
        lines.append(##"<line x1="\##(f(left))" y1="\##(f(top))" x2="\##(f(left))" y2="\##(f(top + plotHeight))" stroke="#333333"/>"##)
        lines.append(##"<line x1="\##(f(left))" y1="\##(f(top + plotHeight))" x2="\##(f(width - right))" y2="\##(f(top + plotHeight))" stroke="#333333"/>"##)
        for (index, point) in points.enumerated() {
            lines.append(##"<text x="\##(f(x(index)))" y="\##(f(top + plotHeight + 22))" text-anchor="middle">\##(point.clients)</text>"##)
        }
        lines.append(##"<text x="\##(f(left + plotWidth / 2))" y="\##(f(height - 22))" text-anchor="middle">concurrent clients (each appends one event per durable append to a stream of its own)</text>"##)
        lines.append(##"<text x="22" y="\##(f(top + plotHeight / 2))" text-anchor="middle" transform="rotate(-90 22 \##(f(top + plotHeight / 2)))">events per second</text>"##)

        let series: [(name: String, color: String, value: (SweepPoint) -> Double)] = [
            ("jobledger (LMDB, group commit)", "#1f6fb4", { $0.jobledger }),
            ("SQLite (GRDB, WAL, synchronous FULL)", "#c8472b", { $0.sqlite }),
        ]
        // The higher of the two values at a point gets its label above, the
        // lower one below; when below would leave the plot, both go above,
        // the higher one a line further up if the two points are close.
        func labelOffset(_ value: Double, _ other: Double, first: Bool) -> Double {
            let lowerFits = y(min(value, other)) + 18 <= top + plotHeight - 4
            let higher = value > other || (value == other && first)
            let close = abs(y(value) - y(other)) < 18
            if higher { return lowerFits || !close ? -10 : -26 }
            return lowerFits ? 18 : -10
        }
        for (number, line) in series.enumerated() {
            let coordinates = points.enumerated().map { "\(f(x($0.offset))),\(f(y(line.value($0.element))))" }
            lines.append(##"<polyline points="\##(coordinates.joined(separator: " "))" fill="none" stroke="\##(line.color)" stroke-width="2.5"/>"##)
            for (index, point) in points.enumerated() {
                let value = line.value(point)
                lines.append(##"<circle cx="\##(f(x(index)))" cy="\##(f(y(value)))" r="4" fill="\##(line.color)"/>"##)
                let offset = labelOffset(value, series[1 - number].value(point), first: number == 0)
                lines.append(##"<text x="\##(f(x(index)))" y="\##(f(y(value) + offset))" text-anchor="middle" fill="\##(line.color)" font-size="12">\##(ReportTable.grouped(Int(value.rounded())))</text>"##)
            }
            let legendY = top + 8 + Double(number) * 20
            lines.append(##"<line x1="\##(f(left + 16))" y1="\##(f(legendY))" x2="\##(f(left + 40))" y2="\##(f(legendY))" stroke="\##(line.color)" stroke-width="2.5"/>"##)
            lines.append(##"<text x="\##(f(left + 48))" y="\##(f(legendY + 4))">\##(escape(line.name))</text>"##)
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A round upper bound for the axis and its tick step.
    private static func scale(_ highest: Double) -> (ceiling: Double, step: Double) {
        let target = max(highest, 1) * 1.1
        let magnitude = pow(10, floor(log10(target)))
        for multiple in [1.0, 2.0, 2.5, 5.0, 10.0] where multiple * magnitude >= target {
            let ceiling = multiple * magnitude
            return (ceiling, ceiling / 5)
        }
        return (10 * magnitude, 2 * magnitude)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
