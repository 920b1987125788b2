#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A strip per row over a shared time axis, each bucket shaded by its activity (the
/// timeline's marks): darker is busier, on a log scale so one burst does not hide the rest.
/// Shades are of one hue, so they read the same in grey.
public struct ActivityStrips: Sendable {
    public var title: String
    /// What a bucket's value counts (for the tooltip): "bytes", "alerts".
    public var unit: String
    public var start: Int64
    public var bucketSeconds: Int64
    public var rows: [ChartSeries]
    public var offset: Int64 = 0
    public var width = 880
    public var colour = ChartColors.series[0]

    public init(title: String, unit: String, start: Int64, bucketSeconds: Int64, rows: [ChartSeries]) {
        self.title = title
        self.unit = unit
        self.start = start
        self.bucketSeconds = max(1, bucketSeconds)
        self.rows = rows
    }

    static let rowHeight = 18.0
    static let levels = 5

    public func svg() -> String {
        let labelWidth = min(300, (rows.map { ChartLabel.width($0.name) }.max() ?? 40) + 4)
        let left = labelWidth + 8, plotWidth = Double(width) - left - 16
        let top = 24.0, bottom = top + Double(rows.count) * Self.rowHeight
        let height = Int(bottom + 24)
        let count = rows.map(\.values.count).max() ?? 0
        let axis = TimeAxis(start: start, end: start + Int64(count) * bucketSeconds, offset: offset, left: left, width: plotWidth)
        var svg = SVGDocument(width: width, height: height, title: title)
        svg.element("text", [("x", "0"), ("y", "14"), ("font-weight", "bold"), ("fill", ChartColors.text)], text: title)
        let maximum = rows.flatMap(\.values).max() ?? 0
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * Self.rowHeight
            svg.element("text", [("x", TimeAxis.n(labelWidth)), ("y", TimeAxis.n(y + 13)), ("text-anchor", "end"), ("fill", ChartColors.text)],
                        text: ChartLabel.fit(row.name, labelWidth))
            svg.element("rect", [("x", TimeAxis.n(left)), ("y", TimeAxis.n(y + 2)), ("width", TimeAxis.n(plotWidth)), ("height", "14"), ("fill", "#f3f3f3")])
            // Runs of buckets at the same shade are one rectangle.
            var i = 0
            while i < row.values.count {
                let level = Self.level(row.values[i], maximum)
                var j = i + 1
                var sum = row.values[i]
                while j < row.values.count && Self.level(row.values[j], maximum) == level { sum += row.values[j]; j += 1 }
                if level > 0 {
                    let x0 = axis.x(Double(start + Int64(i) * bucketSeconds)), x1 = axis.x(Double(start + Int64(j) * bucketSeconds))
                    svg.open("rect", [("x", TimeAxis.n(x0)), ("y", TimeAxis.n(y + 2)), ("width", TimeAxis.n(max(1, x1 - x0))), ("height", "14"),
                                      ("fill", colour), ("fill-opacity", UnitFormat.decimals(Double(level) / Double(Self.levels), 2))])
                    let from = CivilTime(start + Int64(i) * bucketSeconds, offset: offset), to = CivilTime(start + Int64(j) * bucketSeconds, offset: offset)
                    svg.tooltip(row.name + " " + from.clock(seconds: bucketSeconds < 60) + "–" + to.clock(seconds: bucketSeconds < 60) + ": "
                                + (unit == "bytes" ? UnitFormat.bytes(sum) : UnitFormat.si(sum) + " " + unit))
                    svg.close("rect")
                }
                i = j
            }
        }
        axis.draw(&svg, top: top, bottom: bottom + 2, grid: false)
        return svg.finish()
    }

    /// 0 for nothing, else 1...levels by log(1 + v) against the busiest bucket.
    static func level(_ v: Double, _ maximum: Double) -> Int {
        guard v > 0, maximum > 0 else { return 0 }
        let f = log1p(v) / log1p(maximum)
        return max(1, min(levels, Int((f * Double(levels)).rounded(.up))))
    }

    static func log1p(_ v: Double) -> Double {
        #if canImport(Glibc)
        Glibc.log1p(v)
        #else
        Darwin.log1p(v)
        #endif
    }
}
