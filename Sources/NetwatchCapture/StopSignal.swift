#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

private let stopFlag = Atomic<Bool>(false)

/// Ctrl+C and SIGTERM end a run cleanly: the handler only sets a flag that the capture
/// loops poll, so files are flushed and counters printed on the normal exit path.
/// A second signal while the first is being honoured exits at once.
public enum StopSignal {
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if stopFlag.exchange(true, ordering: .relaxed) {
                _exit(128 + signal)
            }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A closed pipe (`netwatch ... | head`) ends output quietly rather than killing the process.
        signal(SIGPIPE, SIG_IGN)
    }

    @inline(__always) public static var requested: Bool { stopFlag.load(ordering: .relaxed) }

    public static func request() { stopFlag.store(true, ordering: .relaxed) }
}
