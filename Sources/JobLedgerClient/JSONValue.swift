import LedgerWire

/// Any JSON value: a job's payload and result, an event's data, and the
/// parts of answers whose shape belongs to the caller. Numbers are
/// `Double`s.
public typealias JSONValue = JSONTree<Double>
