import NetwatchGeo

extension MMDBValue {
    /// JSON text; bytes are written as a hex string ("0x0000002a"), integers in full.
    public var json: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .string(let s): JSONText.string(s, to: &out)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .float(let f): out += f.isFinite ? "\(Double(f))" : "null"
        case .bytes(let b):
            out += "\"0x"
            for c in b { out += String(c >> 4, radix: 16) + String(c & 0xF, radix: 16) }
            out += "\""
        case .unsigned(let n): out += "\(n)"
        case .uint128(let n): out += "\(n)"
        case .int32(let n): out += "\(n)"
        case .boolean(let b): out += b ? "true" : "false"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(to: &out)
            }
            out += "]"
        case .map(let pairs):
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += ", " }
                JSONText.string(pair.key, to: &out)
                out += ": "
                pair.value.write(to: &out)
            }
            out += "}"
        }
    }
}
