/// A value from a MaxMind DB data section (the format's types, maps in file order).
public indirect enum MMDBValue: Sendable, Equatable {
    case string(String)
    case double(Double)
    case bytes([UInt8])
    case unsigned(UInt64)
    case uint128(UInt128)
    case int32(Int32)
    case map([(key: String, value: MMDBValue)])
    case array([MMDBValue])
    case boolean(Bool)
    case float(Float)

    public static func == (a: MMDBValue, b: MMDBValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.bytes(x), .bytes(y)): return x == y
        case let (.unsigned(x), .unsigned(y)): return x == y
        case let (.uint128(x), .uint128(y)): return x == y
        case let (.int32(x), .int32(y)): return x == y
        case let (.map(x), .map(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x), .array(y)): return x == y
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        default: return false
        }
    }

    /// The value under a map key.
    public subscript(key: String) -> MMDBValue? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var integer: UInt64? {
        switch self {
        case .unsigned(let n): return n
        case .int32(let n) where n >= 0: return UInt64(n)
        case .uint128(let n) where n <= UInt128(UInt64.max): return UInt64(n)
        default: return nil
        }
    }
}

