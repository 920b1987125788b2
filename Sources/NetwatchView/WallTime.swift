#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Times for alerts and logs, in local time.
public enum WallTime {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// `2026-11-22T06:15:00.123456+0100`, as Suricata's EVE `timestamp`.
    public static func iso8601(_ time: Double) -> String {
        let seconds = Int64(time.rounded(.down))
        let micros = Int((time - Double(seconds)) * 1e6)
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        let offset = Int(parts.tm_gmtoff) / 60
        return "\(date(parts))T\(clock(parts)).\(pad(micros, 6))\(offset < 0 ? "-" : "+")\(pad(abs(offset) / 60, 2))\(pad(abs(offset) % 60, 2))"
    }

    /// `2026-11-22 06:15:00`, for the human log.
    public static func readable(_ time: Double) -> String {
        var t = time_t(Int64(time.rounded(.down)))
        var parts = tm()
        localtime_r(&t, &parts)
        return "\(date(parts)) \(clock(parts))"
    }

    /// `20261122_061500`, for file names.
    public static func fileStamp(_ time: Double) -> String {
        var t = time_t(Int64(time.rounded(.down)))
        var parts = tm()
        localtime_r(&t, &parts)
        return "\(parts.tm_year + 1900)\(pad(Int(parts.tm_mon) + 1, 2))\(pad(Int(parts.tm_mday), 2))_\(pad(Int(parts.tm_hour), 2))\(pad(Int(parts.tm_min), 2))\(pad(Int(parts.tm_sec), 2))"
    }

    /// `06:15:00`.
    public static func clockTime(_ time: Double) -> String {
        var t = time_t(Int64(time.rounded(.down)))
        var parts = tm()
        localtime_r(&t, &parts)
        return clock(parts)
    }

    private static func date(_ p: tm) -> String { "\(p.tm_year + 1900)-\(pad(Int(p.tm_mon) + 1, 2))-\(pad(Int(p.tm_mday), 2))" }
    private static func clock(_ p: tm) -> String { "\(pad(Int(p.tm_hour), 2)):\(pad(Int(p.tm_min), 2)):\(pad(Int(p.tm_sec), 2))" }

    public static func pad(_ n: Int, _ digits: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
