#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

private let reloadFlag = Atomic<Bool>(false)

/// SIGHUP asks for a reload (the config, the block lists, log and JSON files reopened for
/// logrotate). As with `StopSignal`, the handler only sets a flag; whoever reloads polls it.
public enum ReloadSignal {
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in reloadFlag.store(true, ordering: .relaxed) }
        signal(SIGHUP, handler)
    }

    /// Whether a reload was asked for since the last call (and clears it).
    public static func take() -> Bool { reloadFlag.exchange(false, ordering: .relaxed) }
}
