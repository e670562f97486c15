/// A decoder under fuzzing: how its inputs are mutated and what must hold
/// for every input.
package protocol FuzzTarget {
    /// The target's name on the command line and its corpus folder under
    /// `Fixtures/fuzz`.
    var name: String { get }
    /// Longest input a mutation may produce.
    var maxInputLength: Int { get }
    /// Applies one mutation to `input`; `corpus` holds inputs to splice from.
    func mutate(_ input: inout [UInt8], corpus: [[UInt8]], using random: inout FuzzRandom)
    /// Runs `input` through the decoder and checks its properties.
    ///
    /// - Returns: Whether the decoder accepted the input or refused it,
    ///   and with which kind of error.
    /// - Throws: ``PropertyViolation`` when the decoder misbehaved: an
    ///   untyped or misplaced error, or a result that breaks a property.
    mutating func run(_ input: [UInt8]) throws(PropertyViolation) -> FuzzOutcome
}

/// What a decoder made of one input.
package enum FuzzOutcome: Sendable, Hashable {
    /// Decoded; every property held.
    case accepted
    /// Refused with a typed error of this kind (its text with the
    /// input-specific details taken out).
    case refused(kind: String)
}

/// A property a decoder broke for one input.
package struct PropertyViolation: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    package let description: String

    /// A violation described by `description`.
    package init(_ description: String) { self.description = description }
}

/// The targets by name, in the order `all` runs them.
package enum FuzzTargets {
    /// The names `--target` accepts, besides `all`.
    package static let names = ["envelope", "import", "job-payload", "job-record", "cli-args"]

    /// A fresh target called `name`; the import target checks a sample of
    /// its inputs on a real ledger when given one.
    package static func make(_ name: String, ledger: LedgerImportCheck? = nil) -> (any FuzzTarget)? {
        switch name {
        case "envelope": return EnvelopeTarget()
        case "import": return ImportTarget(ledger: ledger)
        case "job-payload": return JobPayloadTarget()
        case "job-record": return JobRecordTarget()
        case "cli-args": return CommandLineTarget()
        default: return nil
        }
    }
}
