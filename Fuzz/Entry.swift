#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
// Built with -sanitize=fuzzer (scripts/fuzz): libFuzzer drives LLVMFuzzerTestOneInput.
// -parse-as-library leaves the module's main undefined, so name it here (PLATFORM.md).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("netwatch_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, fuzzOneInput)
}
#else
/// Without libFuzzer: replays the files named on the command line (saved crashers, a corpus).
@main
struct Replay {
    static func main() {
        var replayed = 0
        for path in CommandLine.arguments.dropFirst() {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                print("netwatch-fuzz: cannot open \(path)")
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            close(fd)
            bytes.withUnsafeBytes { FuzzTarget.run($0) }
            replayed += 1
        }
        print("netwatch-fuzz: replayed \(replayed) inputs without a crash")
    }
}
#endif
