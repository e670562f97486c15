import CLMDB

/// An error returned by LMDB, with the operation that produced it.
///
/// Every `MDB_*` return code has its own ``Code`` case; operating-system
/// errors (such as `ENOSPC` or `EACCES`) arrive as ``Code/system(_:)``.
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, one case per LMDB return code.
    public enum Code: Sendable, Equatable {
        /// `MDB_KEYEXIST`: the key/data pair already exists.
        case keyExists
        /// `MDB_NOTFOUND`: no matching key/data pair.
        case notFound
        /// `MDB_PAGE_NOTFOUND`: a requested page was not found (usually corruption).
        case pageNotFound
        /// `MDB_CORRUPTED`: a page has an invalid type.
        case corrupted
        /// `MDB_PANIC`: the environment had a fatal error and must be reopened.
        case panic
        /// `MDB_VERSION_MISMATCH`: the environment was written by another LMDB version.
        case versionMismatch
        /// `MDB_INVALID`: the file is not an LMDB file.
        case invalid
        /// `MDB_MAP_FULL`: the memory map is full.
        case mapFull
        /// `MDB_DBS_FULL`: the environment's maximum number of named databases was reached.
        case databasesFull
        /// `MDB_READERS_FULL`: every reader slot of the environment is taken.
        case readersFull
        /// `MDB_TLS_FULL`: too many thread-local keys.
        case tlsFull
        /// `MDB_TXN_FULL`: the transaction has too many dirty pages.
        case transactionFull
        /// `MDB_CURSOR_FULL`: the cursor stack is too deep (internal error).
        case cursorFull
        /// `MDB_PAGE_FULL`: a page has no more space (internal error).
        case pageFull
        /// `MDB_MAP_RESIZED`: another process grew the map beyond this one's size.
        case mapResized
        /// `MDB_INCOMPATIBLE`: the operation conflicts with the database's flags.
        case incompatible
        /// `MDB_BAD_RSLOT`: a reader slot was used wrongly.
        case badReaderSlot
        /// `MDB_BAD_TXN`: the transaction must abort, has a child, or is invalid.
        case badTransaction
        /// `MDB_BAD_VALSIZE`: a key or value has an unsupported size.
        case badValueSize
        /// `MDB_BAD_DBI`: the database handle changed unexpectedly.
        case badDatabase
        /// An operating-system `errno` value.
        case system(Int32)
        /// A file of the environment (data file, lock file or writer lock)
        /// was deleted or replaced since it was opened; the write was
        /// refused. Raised by the wrapper, not by LMDB.
        case fileReplaced
        /// The file system holding the environment has no room left for a
        /// commit (`ENOSPC`, or LMDB's `EIO` after a short write on a full
        /// disk). Raised by the wrapper, not by LMDB.
        case storageFull

        /// Maps an LMDB return code to its case.
        public init(rawCode: Int32) {
            switch rawCode {
            case MDB_KEYEXIST: self = .keyExists
            case MDB_NOTFOUND: self = .notFound
            case MDB_PAGE_NOTFOUND: self = .pageNotFound
            case MDB_CORRUPTED: self = .corrupted
            case MDB_PANIC: self = .panic
            case MDB_VERSION_MISMATCH: self = .versionMismatch
            case MDB_INVALID: self = .invalid
            case MDB_MAP_FULL: self = .mapFull
            case MDB_DBS_FULL: self = .databasesFull
            case MDB_READERS_FULL: self = .readersFull
            case MDB_TLS_FULL: self = .tlsFull
            case MDB_TXN_FULL: self = .transactionFull
            case MDB_CURSOR_FULL: self = .cursorFull
            case MDB_PAGE_FULL: self = .pageFull
            case MDB_MAP_RESIZED: self = .mapResized
            case MDB_INCOMPATIBLE: self = .incompatible
            case MDB_BAD_RSLOT: self = .badReaderSlot
            case MDB_BAD_TXN: self = .badTransaction
            case MDB_BAD_VALSIZE: self = .badValueSize
            case MDB_BAD_DBI: self = .badDatabase
            default: self = .system(rawCode)
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The LMDB call or wrapper operation that failed, such as `mdb_put(events)`.
    public let operation: String
    /// The raw return code.
    public let rawCode: Int32
    /// For ``Code/readersFull``: how many reader slots the environment has
    /// (fixed by the first process that opened the file); otherwise `nil`.
    public let readerLimit: Int?

    /// Creates an error from a raw LMDB return code.
    public init(rawCode: Int32, operation: String, readerLimit: Int? = nil) {
        self.rawCode = rawCode
        self.code = Code(rawCode: rawCode)
        self.operation = operation
        self.readerLimit = readerLimit
    }

    /// Creates an error the wrapper itself raises, with the `errno` closest to it.
    init(code: Code, rawCode: Int32, operation: String) {
        self.rawCode = rawCode
        self.code = code
        self.operation = operation
        self.readerLimit = nil
    }

    /// LMDB's own text for the code.
    public var message: String {
        switch code {
        case .fileReplaced: return "a file of the ledger was deleted or replaced while it was open"
        case .storageFull: return "no space left on the file system"
        default: return String(cString: mdb_strerror(rawCode))
        }
    }

    /// A one-line description naming the operation and the failure.
    public var description: String { "\(operation) failed: \(message) (\(rawCode))" }
}

/// Throws an ``LMDBError`` when `code` is not `MDB_SUCCESS`.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != MDB_SUCCESS {
        throw LMDBError(rawCode: code, operation: operation())
    }
}
