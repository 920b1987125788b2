/// How wide a report's buckets are: round widths that give at most about `maxBuckets` over
/// the range, never finer than the data (`floor`: a second for traffic, a minute for what
/// is counted per flow, as the history's top tables count it).
public enum ReportBuckets {
    static let widths: [Int64] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000, 7_776_000, 31_536_000]

    public static func width(since: Int64, until: Int64, floor: Int64, maxBuckets: Int64 = 360) -> Int64 {
        let span = max(1, until - since)
        return widths.first { $0 >= floor && span / $0 < maxBuckets } ?? 31_536_000
    }

    /// The first bucket's start and the count covering [since, until).
    public static func grid(since: Int64, until: Int64, width: Int64) -> (start: Int64, count: Int) {
        let start = floorDiv(since, width) * width
        let count = Int(max(1, (until - start + width - 1) / width))
        return (start, count)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// `t`'s bucket, or nil outside the grid.
    @inline(__always)
    public static func index(_ t: Int64, start: Int64, width: Int64, count: Int) -> Int? {
        guard t >= start else { return nil }
        let i = Int((t - start) / width)
        return i < count ? i : nil
    }
}
