/// Values over time, stacked (packets/s by protocol, connection outcomes per bucket), with
/// alerts marked on the time axis. Buckets are `bucketSeconds` wide from `start`, every
/// series a value per bucket.
public struct TimeSeriesChart: Sendable {
    public var title: String
    /// What the values count, per second or per bucket: "packets/s", "B/s", "connections".
    public var unit: String
    public var start: Int64
    public var bucketSeconds: Int64
    public var series: [ChartSeries]
    public var markers: [ChartMarker] = []
    public var offset: Int64 = 0
    public var width = 880
    public var height = 240

    public init(title: String, unit: String, start: Int64, bucketSeconds: Int64, series: [ChartSeries]) {
        self.title = title
        self.unit = unit
        self.start = start
        self.bucketSeconds = max(1, bucketSeconds)
        self.series = series
    }

    public func svg() -> String {
        let count = series.map(\.values.count).max() ?? 0
        var totals = [Double](repeating: 0, count: count)
        for s in series { for (i, v) in s.values.enumerated() { totals[i] += v } }
        let (step, top) = AxisTicks.linear(maximum: totals.max() ?? 0)
        let labels = stride(from: 0.0, through: top + step / 2, by: step).map { (value: $0, text: label($0)) }
        let left = 12 + (labels.map { ChartLabel.width($0.text) }.max() ?? 20)
        let plotWidth = Double(width) - left - 16
        let legend = legendItems()
        let legendRows = ChartLegend.rows(legend.map(\.0), width: plotWidth)
        let plotTop = 24.0 + 16, plotBottom = Double(height) - 30 - Double(legendRows) * ChartLegend.rowHeight
        var svg = SVGDocument(width: width, height: height, title: title)
        svg.element("text", [("x", "0"), ("y", "14"), ("font-weight", "bold"), ("fill", ChartColors.text)], text: title + " (" + unit + ")")
        func y(_ v: Double) -> Double { plotBottom - (top > 0 ? v / top : 0) * (plotBottom - plotTop) }
        for l in labels {
            let yy = TimeAxis.n(y(l.value))
            svg.element("line", [("x1", TimeAxis.n(left)), ("x2", TimeAxis.n(left + plotWidth)), ("y1", yy), ("y2", yy), ("stroke", ChartColors.grid)])
            svg.element("text", [("x", TimeAxis.n(left - 6)), ("y", TimeAxis.n(y(l.value) + 4)), ("text-anchor", "end"), ("fill", ChartColors.text)], text: l.text)
        }
        let end = start + Int64(count) * bucketSeconds
        let axis = TimeAxis(start: start, end: end, offset: offset, left: left, width: plotWidth)
        axis.draw(&svg, top: plotTop, bottom: plotBottom, grid: false)
        // Layers bottom up, each a step outline over the one below, a hairline of white between.
        var base = [Double](repeating: 0, count: count)
        for (k, s) in series.enumerated() {
            var upper = base
            for (i, v) in s.values.enumerated() { upper[i] += v }
            if upper != base {
                svg.open("path", [("d", area(lower: base, upper: upper, axis: axis, y: y)), ("fill", ChartColors.series[k % ChartColors.series.count]),
                                  ("stroke", "#ffffff"), ("stroke-width", "0.5")])
                svg.tooltip(s.name)
                svg.close("path")
            }
            base = upper
        }
        drawMarkers(&svg, axis: axis, top: plotTop, bottom: plotBottom)
        ChartLegend.draw(&svg, legend, left: left, top: plotBottom + 24, width: plotWidth)
        return svg.finish()
    }

    /// A swatch per series, then one per alert severity marked (names as tooltips on hover).
    func legendItems() -> [(String, String, Bool)] {
        var items = series.enumerated().map { ($0.element.name, ChartColors.series[$0.offset % ChartColors.series.count], false) }
        for (severity, name) in [(1, "high"), (2, "medium"), (3, "low")] where markers.contains(where: { min(3, max(1, $0.severity)) == severity }) {
            items.append(("\(name) alert", ChartColors.severity(severity), true))
        }
        return items
    }

    func label(_ v: Double) -> String {
        unit.hasPrefix("B") ? UnitFormat.si(v, unit: "B") : UnitFormat.si(v)
    }

    /// A closed step path: along `upper` left to right, back along `lower`.
    func area(lower: [Double], upper: [Double], axis: TimeAxis, y: (Double) -> Double) -> String {
        var d = ""
        d.reserveCapacity(upper.count * 24)
        for i in 0..<upper.count {
            let x0 = axis.x(Double(start + Int64(i) * bucketSeconds)), x1 = axis.x(Double(start + Int64(i + 1) * bucketSeconds))
            d += (i == 0 ? "M" : "L") + TimeAxis.n(x0) + " " + TimeAxis.n(y(upper[i])) + "L" + TimeAxis.n(x1) + " " + TimeAxis.n(y(upper[i]))
        }
        for i in stride(from: upper.count - 1, through: 0, by: -1) {
            let x0 = axis.x(Double(start + Int64(i) * bucketSeconds)), x1 = axis.x(Double(start + Int64(i + 1) * bucketSeconds))
            d += "L" + TimeAxis.n(x1) + " " + TimeAxis.n(y(lower[i])) + "L" + TimeAxis.n(x0) + " " + TimeAxis.n(y(lower[i]))
        }
        return d + "Z"
    }

    /// One marker per pixel column at most (the highest severity there), its tooltip naming
    /// what fell there.
    func drawMarkers(_ svg: inout SVGDocument, axis: TimeAxis, top: Double, bottom: Double) {
        var columns: [Int: (severity: Int, labels: [String], count: Int)] = [:]
        for m in markers {
            let x = axis.x(m.time)
            guard x >= axis.left - 1 && x <= axis.left + axis.width + 1 else { continue }
            let c = Int((x / 3).rounded())
            var entry = columns[c] ?? (4, [], 0)
            entry.severity = min(entry.severity, m.severity)
            entry.count += 1
            if entry.labels.count < 5 { entry.labels.append(m.label) }
            columns[c] = entry
        }
        for (c, e) in columns.sorted(by: { $0.key < $1.key }) {
            let x = Double(c) * 3
            let colour = ChartColors.severity(e.severity)
            svg.element("line", [("x1", TimeAxis.n(x)), ("x2", TimeAxis.n(x)), ("y1", TimeAxis.n(top - 4)), ("y2", TimeAxis.n(bottom)),
                                 ("stroke", colour), ("stroke-dasharray", "2 2"), ("stroke-width", "1")])
            svg.open("path", [("d", "M\(TimeAxis.n(x - 5)) \(TimeAxis.n(top - 14))h10l-5 9z"), ("fill", colour), ("class", "marker")])
            svg.tooltip(e.labels.joined(separator: "\n") + (e.count > e.labels.count ? "\n… \(e.count - e.labels.count) more" : ""))
            svg.close("path")
        }
    }
}
