/// One named row of values, a value per bucket (time charts) or per bar segment.
public struct ChartSeries: Sendable {
    public var name: String
    public var values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}
