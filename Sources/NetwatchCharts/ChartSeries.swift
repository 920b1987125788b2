/// One named row of values: a layer of a time chart (a value per bucket), a bar (a value per
/// segment), a strip (a value per bucket).
public struct ChartSeries: Sendable {
    public var name: String
    public var values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}
