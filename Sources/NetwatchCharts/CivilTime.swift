/// Seconds since the epoch as a calendar date and time of day (proleptic Gregorian, days from
/// civil by Howard Hinnant's algorithm), so the charts need no Foundation.
public struct CivilTime: Sendable, Equatable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    /// `seconds` shifted by `offset` (the reader's distance from UTC).
    public init(_ seconds: Int64, offset: Int64 = 0) {
        let t = seconds + offset
        var days = t / 86_400
        var rest = t % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        hour = Int(rest / 3600); minute = Int(rest % 3600 / 60); second = Int(rest % 60)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// 2026-12-05
    public var date: String { "\(year)-\(Self.two(month))-\(Self.two(day))" }
    /// 14:05 or 14:05:30
    public func clock(seconds: Bool) -> String {
        "\(Self.two(hour)):\(Self.two(minute))" + (seconds ? ":\(Self.two(second))" : "")
    }
    /// 2026-12-05 14:05:30
    public var text: String { date + " " + clock(seconds: true) }

    /// "UTC", "UTC+01:00", "UTC-05:30"
    public static func zoneName(offset: Int64) -> String {
        if offset == 0 { return "UTC" }
        let a = abs(offset)
        return "UTC" + (offset < 0 ? "-" : "+") + two(Int(a / 3600)) + ":" + two(Int(a % 3600 / 60))
    }
}
