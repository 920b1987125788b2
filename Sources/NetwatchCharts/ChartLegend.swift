/// A legend under a chart: a swatch and a name per series, laid out left to right and wrapped
/// by the names' estimated widths, so names never overlap.
enum ChartLegend {
    static let rowHeight = 18.0

    /// The rows needed for `names` within `width`.
    static func rows(_ names: [String], width: Double) -> Int {
        layout(names, width: width).last.map { $0.row + 1 } ?? 0
    }

    static func layout(_ names: [String], width: Double) -> [(x: Double, row: Int)] {
        var x = 0.0, row = 0
        var out: [(Double, Int)] = []
        for name in names {
            let w = 16 + ChartLabel.width(name) + 18
            if x > 0 && x + w > width { x = 0; row += 1 }
            out.append((x, row))
            x += w
        }
        return out
    }

    /// Swatches: (name, colour, shape) with shape "rect" or "marker".
    static func draw(_ svg: inout SVGDocument, _ items: [(String, String, Bool)], left: Double, top: Double, width: Double) {
        let places = layout(items.map { ChartLabel.fit($0.0, width - 40) }, width: width)
        for (i, item) in items.enumerated() {
            let x = left + places[i].x, y = top + Double(places[i].row) * rowHeight
            if item.2 {
                svg.element("path", [("d", "M\(TimeAxis.n(x)) \(TimeAxis.n(y + 2))h10l-5 9z"), ("fill", item.1)])
            } else {
                svg.element("rect", [("x", TimeAxis.n(x)), ("y", TimeAxis.n(y + 1)), ("width", "10"), ("height", "10"), ("fill", item.1)])
            }
            svg.element("text", [("x", TimeAxis.n(x + 16)), ("y", TimeAxis.n(y + 10)), ("fill", ChartColors.text)], text: ChartLabel.fit(item.0, width - 40))
        }
    }
}
