/// Colours for series: Okabe and Ito's set, which colour-blind readers tell apart, ordered so
/// that neighbours in a stack differ in lightness too (they stay apart printed in grey).
public enum ChartColors {
    public static let series = ["#0072B2", "#E69F00", "#009E73", "#56B4E9", "#D55E00", "#F0E442", "#CC79A7", "#000000"]
    /// Severity 1 (high) to 3 (low), as alert markers and table badges.
    public static func severity(_ s: Int) -> String {
        switch s {
        case ...1: "#D55E00"
        case 2: "#E69F00"
        default: "#56B4E9"
        }
    }
    public static let axis = "#444444"
    public static let grid = "#dddddd"
    public static let text = "#222222"
}
