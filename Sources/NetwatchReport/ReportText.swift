import NetwatchCharts

/// Strings from the network or the host as a reader may see them: control and bidi
/// characters as visible `\xNN` (HTML escaping itself is the templates' job).
enum ReportText {
    static func visible(_ s: String) -> String { ChartLabel.visible(s) }

    static func time(_ t: Double, offset: Int64) -> String {
        CivilTime(Int64(t.rounded(.down)), offset: offset).text
    }

    static func count(_ n: UInt64) -> String { UnitFormat.grouped(n) }
    static func bytes(_ n: UInt64) -> String { UnitFormat.bytes(Double(n)) }

    static func severity(_ s: Int) -> String {
        switch s {
        case ...1: "high"
        case 2: "medium"
        default: "low"
        }
    }
}
