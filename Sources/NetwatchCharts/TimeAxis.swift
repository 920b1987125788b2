/// The horizontal time axis shared by the time charts: where a time falls, and round ticks
/// spaced so that their labels never touch.
public struct TimeAxis: Sendable {
    public var start: Int64
    public var end: Int64
    /// The reader's distance from UTC, in seconds.
    public var offset: Int64
    public var left: Double
    public var width: Double

    public init(start: Int64, end: Int64, offset: Int64, left: Double, width: Double) {
        self.start = start
        self.end = max(end, start + 1)
        self.offset = offset
        self.left = left
        self.width = width
    }

    public func x(_ t: Double) -> Double {
        left + (t - Double(start)) / Double(end - start) * width
    }

    /// Tick lines (from `top` to `bottom`) and labels under `bottom`.
    func draw(_ svg: inout SVGDocument, top: Double, bottom: Double, grid: Bool) {
        let widest = ChartLabel.width("00:00:00")
        let (step, ticks) = AxisTicks.time(start: start, end: end, maxTicks: Int(width / (widest + 14)), offset: offset)
        for t in ticks {
            let label = AxisTicks.timeLabel(t, step: step, offset: offset)
            let half = ChartLabel.width(label) / 2
            // A label that would run into the value labels left of the plot, or past the chart's
            // right edge, is left out (its tick stays).
            let fits = self.x(Double(t)) - half >= left - 4 && self.x(Double(t)) + half <= left + width + 14
            let x = Self.n(self.x(Double(t)))
            if grid { svg.element("line", [("x1", x), ("x2", x), ("y1", Self.n(top)), ("y2", Self.n(bottom)), ("stroke", ChartColors.grid)]) }
            svg.element("line", [("x1", x), ("x2", x), ("y1", Self.n(bottom)), ("y2", Self.n(bottom + 4)), ("stroke", ChartColors.axis)])
            if fits {
                svg.element("text", [("x", x), ("y", Self.n(bottom + 16)), ("text-anchor", "middle"), ("fill", ChartColors.text)], text: label)
            }
        }
        svg.element("line", [("x1", Self.n(left)), ("x2", Self.n(left + width)), ("y1", Self.n(bottom)), ("y2", Self.n(bottom)), ("stroke", ChartColors.axis)])
    }

    /// A coordinate with one decimal.
    static func n(_ v: Double) -> String { UnitFormat.decimals(v, 1) }
}
