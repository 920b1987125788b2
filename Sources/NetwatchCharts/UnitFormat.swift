/// Numbers as a person reads them on an axis or in a table: SI prefixes (k, M, G, T; 1000,
/// as netwatch's other outputs count bytes), at most three significant digits.
public enum UnitFormat {
    /// 1234567 -> "1.23 M" + unit; 950 -> "950" + unit.
    public static func si(_ v: Double, unit: String = "") -> String {
        let sep = unit.isEmpty ? "" : " "
        let a = abs(v)
        let prefixes: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, p) in prefixes where a >= scale {
            return fixed(v / scale, significant: 3) + " " + p + unit
        }
        return fixed(v, significant: 3) + sep + unit
    }

    /// Bytes: "23.5 kB".
    public static func bytes(_ v: Double) -> String { si(v, unit: "B") }

    /// `v` with enough decimals for `significant` digits, trailing zeros dropped.
    public static func fixed(_ v: Double, significant: Int) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        var digits = 0
        var m = a
        while m < pow10(significant - 1) && digits < 6 { m *= 10; digits += 1 }
        return decimals(v, digits)
    }

    /// `v` rounded to `places` decimals, trailing zeros (and a bare point) dropped.
    public static func decimals(_ v: Double, _ places: Int) -> String {
        let scale = pow10(places)
        let r = (abs(v) * scale).rounded()
        guard r < 9.2e18 else { return v < 0 ? "-∞" : "∞" }
        let n = Int64(r)
        let whole = n / Int64(scale)
        var frac = n % Int64(scale)
        var s = (v < 0 && n != 0 ? "-" : "") + String(whole)
        if places > 0 && frac != 0 {
            var digits = places
            while frac % 10 == 0 { frac /= 10; digits -= 1 }
            var f = String(frac)
            while f.count < digits { f = "0" + f }
            s += "." + f
        }
        return s
    }

    /// Thousands separated: 1234567 -> "1,234,567".
    public static func grouped(_ n: UInt64) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }

    static func pow10(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<max(0, n) { r *= 10 }
        return r
    }
}
