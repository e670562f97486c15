import CLMDB

/// One occupied slot of the environment's reader table, shared by every
/// process that has the file open.
public struct ReaderSlot: Sendable, Hashable {
    /// The process that holds the slot.
    public let processID: Int32
    /// The thread that began the slot's transaction, as LMDB records it.
    public let thread: UInt
    /// The transaction whose snapshot the reader sees, or `nil` when the
    /// slot is reserved but no read transaction is open in it.
    public let transactionID: Int?

    /// Creates a slot description; the tests and other layers read these
    /// from ``Environment/readerSlots()``.
    public init(processID: Int32, thread: UInt, transactionID: Int?) {
        self.processID = processID
        self.thread = thread
        self.transactionID = transactionID
    }

    /// Parses one line of `mdb_reader_list`: process id, thread in hex, and
    /// the transaction id or `-`. The header and other lines give `nil`.
    init?(readerListLine line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 3,
              let processID = Int32(fields[0]),
              let thread = UInt(fields[1], radix: 16)
        else { return nil }
        let transaction = fields[2].trimmingSuffixNewline
        if transaction == "-" {
            self.init(processID: processID, thread: thread, transactionID: nil)
        } else if let id = Int(transaction) {
            self.init(processID: processID, thread: thread, transactionID: id)
        } else {
            return nil
        }
    }
}

extension Substring {
    fileprivate var trimmingSuffixNewline: Substring {
        var text = self
        while let last = text.last, last == "\n" || last == "\r" { text = text.dropLast() }
        return text
    }
}

extension Environment {
    /// The occupied slots of the reader table, from every process that has
    /// the file open, this one included.
    ///
    /// A slot of a process that died is listed until ``clearStaleReaders()``
    /// (or the next open of the file) frees it.
    public func readerSlots() throws(LMDBError) -> [ReaderSlot] {
        var lines: [String] = []
        let rc = withUnsafeMutablePointer(to: &lines) { pointer in
            mdb_reader_list(handle, { message, context in
                guard let message, let context else { return 0 }
                context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: message))
                return 0
            }, pointer)
        }
        if rc < 0 { throw LMDBError(rawCode: rc, operation: "mdb_reader_list") }
        return lines.compactMap(ReaderSlot.init(readerListLine:))
    }
}
