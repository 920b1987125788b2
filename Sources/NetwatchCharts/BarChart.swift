/// Horizontal bars, one row per key (top talkers, ports, services), each bar the sum of its
/// segments (sent and received, say), the total written at its end.
public struct BarChart: Sendable {
    public var title: String
    public var unit: String
    public var segments: [String]
    public var rows: [ChartSeries]
    public var width = 880

    public init(title: String, unit: String, segments: [String], rows: [ChartSeries]) {
        self.title = title
        self.unit = unit
        self.segments = segments
        self.rows = rows
    }

    static let rowHeight = 20.0

    public func svg() -> String {
        let labelWidth = min(300, (rows.map { ChartLabel.width($0.name) }.max() ?? 40) + 4)
        let valueWidth = 80.0
        let left = labelWidth + 8, barWidth = Double(width) - left - valueWidth - 8
        let legendRows = segments.count > 1 ? ChartLegend.rows(segments, width: barWidth) : 0
        let top = 24.0
        let height = Int(top + Double(rows.count) * Self.rowHeight + 8 + Double(legendRows) * ChartLegend.rowHeight + 4)
        var svg = SVGDocument(width: width, height: height, title: title)
        svg.element("text", [("x", "0"), ("y", "14"), ("font-weight", "bold"), ("fill", ChartColors.text)], text: title + " (" + unit + ")")
        let maximum = rows.map { $0.values.reduce(0, +) }.max() ?? 0
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * Self.rowHeight
            svg.element("text", [("x", TimeAxis.n(labelWidth)), ("y", TimeAxis.n(y + 14)), ("text-anchor", "end"), ("fill", ChartColors.text)],
                        text: ChartLabel.fit(row.name, labelWidth))
            var x = left
            for (k, v) in row.values.enumerated() where v > 0 {
                let w = maximum > 0 ? v / maximum * barWidth : 0
                svg.open("rect", [("x", TimeAxis.n(x)), ("y", TimeAxis.n(y + 3)), ("width", TimeAxis.n(max(w, 0.5))), ("height", "14"),
                                  ("fill", ChartColors.series[k % ChartColors.series.count])])
                svg.tooltip(row.name + (segments.count > 1 ? " " + segments[k] : "") + ": " + value(v))
                svg.close("rect")
                x += w
            }
            svg.element("text", [("x", TimeAxis.n(x + 6)), ("y", TimeAxis.n(y + 14)), ("fill", ChartColors.text)], text: value(row.values.reduce(0, +)))
        }
        if segments.count > 1 {
            ChartLegend.draw(&svg, segments.enumerated().map { ($0.element, ChartColors.series[$0.offset % ChartColors.series.count], false) },
                             left: left, top: top + Double(rows.count) * Self.rowHeight + 8, width: barWidth)
        }
        return svg.finish()
    }

    func value(_ v: Double) -> String { unit == "B" ? UnitFormat.bytes(v) : UnitFormat.si(v) }
}
