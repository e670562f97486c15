import Foundation

extension EventStore {
    /// The export of ``exportEvents(format:selection:write:)`` from `first`
    /// through `end`, with the check of each event's checksum on or off, for
    /// the benchmark that measures what the check costs (a package of its
    /// own, so it reaches the store through this door only). Returns the
    /// number of lines written. Not part of the library's API: without the
    /// check, damaged events are written as they are.
    @_spi(Benchmarks)
    public func benchmarkExport(
        format: ExportFormat, selection: ExportSelection, from first: UInt64, through end: UInt64, header: Bool,
        verifyingChecksums: Bool, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        Int(try exportEvents(
            format: format, selection: selection, from: first, through: end, header: header,
            verifyingChecksums: verifyingChecksums, write: write
        ).count)
    }
}
