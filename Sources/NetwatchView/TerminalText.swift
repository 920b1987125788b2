/// Text for a terminal that is valid Unicode but not trusted (organisation names from a
/// database, host names): control characters, which could move the cursor or recolour the
/// screen, become `\xNN`; everything else is kept.
public enum TerminalText {
    @inline(__always)
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
            || (scalar.value >= 0x200B && scalar.value <= 0x200F) || (scalar.value >= 0x202A && scalar.value <= 0x202E)
            || (scalar.value >= 0x2066 && scalar.value <= 0x2069)
    }

    public static func safe(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { isControl($0) || $0 == "\\" }) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar == "\\" {
                out += "\\\\"
            } else if isControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count % 2 == 1 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
