import LedgerWire

/// The figures of `jobledger report` (Docs/Jobs.md), as the server answers
/// them.
public typealias LedgerReport = JobReportFigures<LedgerJob.State>
