import ArgumentParser
import NetwatchDetect
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A time on the command line: an age before now (90s, 15m, 2h, 7d, 1w) or a date
/// (2026-12-01, 2026-12-01T10:00, 2026-12-01 10:00:00, local time; or seconds since the epoch).
struct HistoryTimeArgument: ExpressibleByArgument {
    enum Value { case age(Double), absolute(Double) }
    let value: Value

    init?(argument: String) {
        if let unit = argument.last, let scale = Quantity.ageUnits[unit], let n = Double(argument.dropLast()), n >= 0 {
            value = .age(n * scale)
            return
        }
        if let seconds = Double(argument), seconds > 100_000_000 {
            value = .absolute(seconds)
            return
        }
        // YYYY-MM-DD[(T| )HH:MM[:SS]], local time.
        let parts = argument.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { Int32($0) }
        let clock = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int32($0) } : []
        guard date.count == 3, date.allSatisfy({ $0 != nil }), clock.count == 0 || clock.count == 2 || clock.count == 3,
              clock.allSatisfy({ $0 != nil }) else { return nil }
        let d = date.map { $0! }, c = clock.map { $0! }
        guard (1...12).contains(d[1]), (1...31).contains(d[2]), c.isEmpty || ((0...23).contains(c[0]) && (0...59).contains(c[1])) else { return nil }
        var t = tm()
        t.tm_year = d[0] - 1900
        t.tm_mon = d[1] - 1
        t.tm_mday = d[2]
        t.tm_hour = c.count > 0 ? c[0] : 0
        t.tm_min = c.count > 1 ? c[1] : 0
        t.tm_sec = c.count > 2 ? c[2] : 0
        t.tm_isdst = -1
        value = .absolute(Double(mktime(&t)))
    }

    func seconds(now: Double) -> Double {
        switch value {
        case .age(let a): return now - a
        case .absolute(let t): return t
        }
    }
}
