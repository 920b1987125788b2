/// A moment marked on a time chart: an alert, drawn as a triangle over the plot, its text a
/// tooltip (never a label, so markers cannot crowd the axis).
public struct ChartMarker: Sendable {
    public var time: Double
    /// 1 high, 2 medium, 3 low.
    public var severity: Int
    public var label: String

    public init(time: Double, severity: Int, label: String) {
        self.time = time
        self.severity = severity
        self.label = label
    }
}
