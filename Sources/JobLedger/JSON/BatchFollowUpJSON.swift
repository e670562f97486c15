import Foundation

extension JobJSON {
    /// The FOLLOW_UP shape of the command line's `--json` and of the HTTP
    /// API: the batch, the follow-up's job id, owner, organisation and what
    /// it will be submitted with (`timeout` in seconds).
    public static func followUp(_ followUp: BatchFollowUp) -> [String: Any] {
        var fields: [String: Any] = [
            "batch": followUp.batch, "jobId": followUp.jobID, "owner": followUp.owner, "org": followUp.organisation,
            "type": followUp.type, "payload": jsonValue(followUp.payload), "priority": followUp.priority,
            "maxAttempts": followUp.maxAttempts,
        ]
        if let millis = followUp.timeoutMillis { fields["timeout"] = Double(millis) / 1000 }
        if let tags = followUp.tags { fields["tags"] = tags }
        return fields
    }
}
