extension BenchReport {
    /// One report from the reports of several rounds of the same child
    /// task: a rate becomes the total work over the total time (each round
    /// does the same work, so the harmonic mean of the rates), a size the
    /// largest seen, anything else the last round's value. Notes are every
    /// round's, each once, and the rates of every round.
    static func combiningRounds(_ rounds: [BenchReport]) -> BenchReport {
        guard var combined = rounds.last else {
            preconditionFailure("no rounds to combine")
        }
        guard rounds.count > 1 else { return combined }
        var spreads: [String] = []
        for index in combined.figures.indices {
            let id = combined.figures[index].id
            let values = rounds.compactMap { round in round.figures.first { $0.id == id }?.value }
            guard values.count == rounds.count else { continue }
            let unit = combined.figures[index].unit
            if unit.hasSuffix("/s") {
                combined.figures[index].value = Double(values.count) / values.reduce(0) { $0 + 1 / max($1, 1e-12) }
                spreads.append("\(id) " + values.map { ReportTable.grouped(Int($0.rounded())) }.joined(separator: " / "))
            } else if unit == "MB" {
                combined.figures[index].value = values.max() ?? combined.figures[index].value
            }
        }
        // Each round's own notes (CPU time, memory), once each.
        combined.notes = rounds.flatMap(\.notes).reduce(into: []) { notes, note in
            if !notes.contains(note) { notes.append(note) }
        }
        combined.notes.append(
            "\(rounds.count) alternating rounds, \(combined.figures[0].unit) per round: " + spreads.joined(separator: "; "))
        return combined
    }
}
