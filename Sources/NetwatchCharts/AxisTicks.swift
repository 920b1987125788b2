/// Where ticks go: round values (1, 2 or 5 times a power of ten) for counts, and round times
/// (seconds, minutes, hours, days) for time, never more than fit the space without overlap.
public enum AxisTicks {
    /// Ticks from 0 to at least `maximum`, about `count` of them: (step, top).
    public static func linear(maximum: Double, count: Int = 5) -> (step: Double, top: Double) {
        guard maximum > 0 else { return (1, 1) }
        let raw = maximum / Double(max(1, count))
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return (step, (maximum / step).rounded(.up) * step)
    }

    /// Round time steps in seconds.
    static let timeSteps: [Int64] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
                                     172_800, 604_800, 1_209_600, 2_592_000, 7_776_000, 31_536_000, 157_680_000]

    /// Tick times (seconds since the epoch) in [start, end], on round local times, at most
    /// `maxTicks` of them.
    public static func time(start: Int64, end: Int64, maxTicks: Int, offset: Int64) -> (step: Int64, ticks: [Int64]) {
        let span = max(1, end - start)
        let step = timeSteps.first { span / $0 <= Int64(max(1, maxTicks)) } ?? timeSteps.last!
        var first = ((start + offset) / step) * step - offset
        if first < start { first += step }
        var ticks: [Int64] = []
        var t = first
        while t <= end && ticks.count <= maxTicks {
            ticks.append(t)
            t += step
        }
        return (step, ticks)
    }

    /// A tick's label: the time of day, with seconds when the step is under a minute, and the
    /// date alone for steps of a day or more.
    public static func timeLabel(_ t: Int64, step: Int64, offset: Int64) -> String {
        let c = CivilTime(t, offset: offset)
        if step >= 31_536_000 { return String(c.year) }
        if step >= 2_592_000 { return String(c.year) + "-" + CivilTime.two(c.month) }
        if step >= 86_400 { return CivilTime.two(c.month) + "-" + CivilTime.two(c.day) }
        return c.clock(seconds: step < 60)
    }
}
