/// The quantities a person writes in a config or on the command line: an age (90s, 15m, 12h,
/// 30d, 2w; plain seconds) and a size (800K, 500MB, 2GB, 1.5G, 1TB; plain bytes; 1024-based).
public enum Quantity {
    /// Seconds per unit of an age.
    public static let ageUnits: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]

    public static func age(_ s: String) -> Double? {
        let units = ageUnits
        var text = Substring(s.lowercased().filter { $0 != " " })
        var scale = 1.0
        if let unit = text.last, let u = units[unit] {
            scale = u
            text = text.dropLast()
        }
        guard let n = Double(text), n.isFinite, n > 0 else { return nil }
        return n * scale
    }

    public static func size(_ s: String) -> Int64? {
        var text = Substring(s.uppercased().filter { $0 != " " })
        if text.hasSuffix("IB") { text = text.dropLast(2) } else if text.hasSuffix("B") { text = text.dropLast() }
        let units: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
        var scale = 1.0
        if let unit = text.last, let u = units[unit] {
            scale = u
            text = text.dropLast()
        }
        guard let n = Double(text), n.isFinite, n > 0, n * scale < 9e18 else { return nil }
        return Int64(n * scale)
    }
}
