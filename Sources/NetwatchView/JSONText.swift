/// JSON string literals for text that is valid Unicode but not trusted (database fields):
/// quotes, backslashes and every control character (C0, DEL, C1) escaped, the rest kept.
/// Bytes straight from the network go through `OutputBuffer.sanitized` instead.
public enum JSONText {
    public static func string(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if TerminalText.isControl(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    public static func string(_ s: String) -> String {
        var out = ""
        string(s, to: &out)
        return out
    }
}
