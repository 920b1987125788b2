/// Label geometry without a font engine: widths are estimated from a per-character average
/// that errs wide (DejaVu Sans, the font the charts ask for, averages about 0.6 em for
/// digits and lower case), so labels laid out by these widths do not overlap.
public enum ChartLabel {
    public static let fontSize = 11
    static let charWidth = 0.62 * Double(fontSize)

    /// Estimated width in pixels of `s` at the chart font size.
    public static func width(_ s: String) -> Double {
        var w = 0.0
        for c in s.unicodeScalars {
            // Wide glyphs (CJK, emoji) take about a full em.
            w += c.value > 0x2E80 ? Double(fontSize) : (c == "W" || c == "M" || c == "m" || c == "w" ? charWidth * 1.4 : charWidth)
        }
        return w
    }

    /// `s` cut to fit `maxWidth` pixels, with an ellipsis when cut.
    public static func fit(_ s: String, _ maxWidth: Double) -> String {
        if width(s) <= maxWidth { return s }
        var out = ""
        var w = charWidth
        for c in s.unicodeScalars {
            let cw = width(String(c))
            if w + cw > maxWidth { break }
            out.unicodeScalars.append(c)
            w += cw
        }
        return out + "…"
    }

    /// `s` with control and bidi characters as visible `\xNN` (names from the network may hold
    /// them to hide or reorder text).
    public static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for c in s.unicodeScalars { appendVisible(c, to: &out) }
        return out
    }

    @inline(__always)
    static func appendVisible(_ c: Unicode.Scalar, to out: inout String) {
        if isControl(c) {
            let hex = String(c.value, radix: 16)
            out += "\\x" + (hex.count % 2 == 1 ? "0" : "") + hex
        } else {
            out.unicodeScalars.append(c)
        }
    }

    @inline(__always)
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
            || (scalar.value >= 0x200B && scalar.value <= 0x200F) || (scalar.value >= 0x202A && scalar.value <= 0x202E)
            || (scalar.value >= 0x2066 && scalar.value <= 0x2069)
    }
}
