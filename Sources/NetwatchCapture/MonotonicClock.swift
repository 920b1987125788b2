#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on the monotonic clock: for intervals (how long, how long left), never dates.
/// (Every clock netwatch reads: `PacketPipeline.realTime`/`realTimeSeconds` and `WallTime.now`
/// are the real-time clock, the one packet times use; this one only measures durations.)
public enum MonotonicClock {
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
