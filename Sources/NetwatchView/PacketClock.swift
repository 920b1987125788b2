#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calendar fields of packet timestamps, recomputed only when the second changes:
/// one `localtime_r`/`gmtime_r` per second of traffic rather than per packet.
struct PacketClock {
    private var localSecond = Int64.min
    private var utcSecond = Int64.min
    private(set) var local = tm()
    private(set) var utc = tm()

    mutating func localTime(_ seconds: Int64) -> tm {
        if seconds != localSecond {
            var t = time_t(seconds)
            localtime_r(&t, &local)
            localSecond = seconds
        }
        return local
    }

    mutating func utcTime(_ seconds: Int64) -> tm {
        if seconds != utcSecond {
            var t = time_t(seconds)
            gmtime_r(&t, &utc)
            utcSecond = seconds
        }
        return utc
    }
}
