import Foundation
import Hummingbird

extension LedgerRequestContext {
    /// The route parameter `name`, percent-decoded: the router hands out a
    /// path segment as it came on the wire, so `a%3Ab` must become the job
    /// id `a:b`. A segment whose percent-encoding is broken (`%zz`, a lone
    /// `%`, bytes that are not UTF-8) is bad input, not a job that is missing.
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw Problem(.badInput, "\(name): '\(raw)' is not valid percent-encoded UTF-8")
        }
        return decoded
    }
}
