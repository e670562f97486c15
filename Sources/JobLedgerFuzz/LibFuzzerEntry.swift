#if LIBFUZZER
import CFuzzerDriver
import Foundation
import FuzzKit

/// The target libFuzzer feeds, chosen once before the driver starts.
nonisolated(unsafe) private var libFuzzerTarget: (any FuzzTarget)?

/// The program's entry point in the libFuzzer build (the package manager
/// names an executable module's entry `<module>_main`).
///
/// `--target=NAME` (or `JOBLEDGER_FUZZ_TARGET`, which libFuzzer's child
/// processes inherit) picks the target; every other argument goes to
/// libFuzzer. An input that breaks a property aborts, so libFuzzer saves it.
@_cdecl("JobLedgerFuzz_main")
func libFuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var arguments: [UnsafeMutablePointer<CChar>?] = []
    for index in 0..<Int(argc) {
        guard let argument = argv[index] else { continue }
        let text = String(cString: argument)
        if text.hasPrefix("--target=") {
            setenv("JOBLEDGER_FUZZ_TARGET", String(text.dropFirst("--target=".count)), 1)
        } else {
            arguments.append(argument)
        }
    }
    let name = ProcessInfo.processInfo.environment["JOBLEDGER_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.make(name) else {
        let usage = "usage: jobledger-fuzz --target=\(FuzzTargets.names.joined(separator: "|")) [libFuzzer options] [corpus folders]\n"
        FileHandle.standardError.write(Data(usage.utf8))
        return 2
    }
    libFuzzerTarget = target
    var count = Int32(arguments.count)
    arguments.append(nil)
    return arguments.withUnsafeMutableBufferPointer { buffer in
        var pointer = buffer.baseAddress
        return LLVMFuzzerRunDriver(&count, &pointer) { data, size in
            let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
            do {
                _ = try libFuzzerTarget!.run(input)
            } catch {
                FileHandle.standardError.write(Data("jobledger-fuzz: \(error)\n".utf8))
                abort()
            }
            return 0
        }
    }
}
#endif
