import Foundation
import JobLedger

/// A job's history as the job page shows it: every job event and audit
/// entry, with actor, role, reason, outcome, states and time; refused
/// commands marked as such.
enum Timeline {
    /// The entry's audit record, or for a job event the audit entry of the
    /// same request (which names the role and the reason).
    static func audit(of entry: HistoryEntry, in entries: [HistoryEntry]) -> AuditEntry? {
        if let audit = entry.audit { return audit }
        guard let request = entry.correlationID else { return nil }
        return entries.first { $0.audit != nil && $0.correlationID == request }?.audit
    }

    /// The table; entries after `upTo` (a 1-based step) are marked as the
    /// future of the moment shown.
    static func table(_ entries: [HistoryEntry], upTo step: Int) -> HTML {
        let rows = entries.enumerated().map { index, entry in row(entry, number: index + 1, entries: entries, future: index + 1 > step) }
        return """
            <div class="table-wrap">
            <table class="timeline" id="timeline">
            <caption>Every event and audit entry of the job, oldest first</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Role</th><th scope="col">Reason</th><th scope="col">Outcome</th><th scope="col">State</th><th scope="col">Position</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table>
            </div>
            """
    }

    static func row(_ entry: HistoryEntry, number: Int, entries: [HistoryEntry], future: Bool) -> HTML {
        let audit = audit(of: entry, in: entries)
        let refused = entry.audit?.detail != nil
        var classes = [entry.stream == "audit" ? "audit" : "event"]
        if refused { classes.append("refused") }
        if future { classes.append("future") }
        let outcome: HTML
        if let recorded = entry.audit {
            let detail: HTML = recorded.detail.map { detail -> HTML in " <span class=\"detail\">\(detail)</span>" } ?? .empty
            let label: HTML = refused ? "<strong class=\"refused-label\">Refused:</strong> " : .empty
            outcome = "\(label)<code>\(recorded.outcome.rawValue)</code>\(detail)"
        } else {
            outcome = "<span class=\"none\">—</span>"
        }
        let event: HTML = entry.audit.map { audit -> HTML in "audit: <strong>\(audit.action)</strong>" } ?? "\(entry.type)"
        let none: HTML = "<span class=\"none\">—</span>"
        let states: HTML = "\(entry.stateBefore.map(Layout.state) ?? none) → \(entry.stateAfter.map(Layout.state) ?? none)"
        let actor = entry.audit?.actor ?? entry.actor
        return """
            <tr class="\(classes.joined(separator: " "))" data-position="\(entry.position)">
            <td data-label="#">\(number)</td>
            <td data-label="Time">\(Layout.time(entry.recordedAt))</td>
            <td data-label="Event">\(event)</td>
            <td data-label="Actor">\(actor)</td>
            <td data-label="Role">\(Layout.optional(audit?.role.rawValue))</td>
            <td data-label="Reason" class="long">\(Layout.optional(audit?.reason))</td>
            <td data-label="Outcome" class="long">\(outcome)</td>
            <td data-label="State">\(states)</td>
            <td data-label="Position">\(entry.position)</td>
            </tr>
            """
    }

    /// The history as JSON, as `GET /v1/jobs/{id}/history` gives it, indented.
    static func rawJSON(_ jobID: String, _ entries: [HistoryEntry]) -> String {
        let value = JobJSON.history(jobID, entries)
        guard let data = try? JSONSerialization.data(
            withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// JSON text indented for reading; the text as it is when it is not JSON.
    static func pretty(_ text: String) -> String {
        // An empty object or array stays on one line (the indenter writes "{\n\n}").
        if text.utf8.count <= 2 { return text }
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
