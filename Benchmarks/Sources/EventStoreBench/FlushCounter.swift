import Foundation
import Synchronization

/// Counts the `fdatasync` and `fsync` calls of this process, LMDB's
/// included: the executable defines both functions, so the dynamic linker
/// binds LMDB's calls to them, and each counts, then calls the C library's.
///
/// The package links the executable with `--export-dynamic` so that the
/// two stay in it and visible to the dynamic linker.
///
/// LMDB's durable commit calls `fdatasync` once after writing the data
/// pages; its meta page then goes through a descriptor opened with
/// `O_DSYNC`, a second flush per commit that no call here sees.
enum FlushCounter {
    fileprivate static let calls = Atomic<Int>(0)

    /// Calls counted since the process started.
    static var count: Int { calls.load(ordering: .relaxed) }

    fileprivate typealias SyncFunction = @convention(c) (Int32) -> Int32

    /// The C library's function of that name, found after this executable.
    fileprivate static func next(_ name: String) -> SyncFunction {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: -1), name) else {
            fatalError("the C library has no \(name)")
        }
        return unsafeBitCast(symbol, to: SyncFunction.self)
    }

    fileprivate static let fdatasyncInLibrary = next("fdatasync")
    fileprivate static let fsyncInLibrary = next("fsync")
}

/// Counts, then flushes as the C library does.
@_cdecl("fdatasync")
public func countedFdatasync(_ descriptor: Int32) -> Int32 {
    FlushCounter.calls.add(1, ordering: .relaxed)
    return FlushCounter.fdatasyncInLibrary(descriptor)
}

/// Counts, then flushes as the C library does.
@_cdecl("fsync")
public func countedFsync(_ descriptor: Int32) -> Int32 {
    FlushCounter.calls.add(1, ordering: .relaxed)
    return FlushCounter.fsyncInLibrary(descriptor)
}
