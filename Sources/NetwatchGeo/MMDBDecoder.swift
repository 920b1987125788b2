/// Reads typed values from a MaxMind DB data section (or its metadata), following pointers;
/// every size and offset is checked against the section, nesting is bounded.
struct MMDBDecoder {
    struct Failure: Error {
        var message: String
    }

    let bytes: [UInt8]
    /// Where pointers count from (the data section's start) and where it ends.
    let base: Int
    let end: Int
    let name: String
    private var depth = 0
    /// Values left to decode: pointers can share subtrees, so a hostile file could otherwise
    /// make one record cost exponential work.
    private var budget = 1_000_000

    init(bytes: [UInt8], base: Int, end: Int, name: String) {
        self.bytes = bytes
        self.base = base
        self.end = end
        self.name = name
    }

    private func byte(_ o: Int) throws(Failure) -> Int {
        guard o >= 0 && o < end else { throw Failure(message: "read past the end of the section at byte \(o)") }
        return Int(bytes[o])
    }

    private func unsigned(_ o: Int, _ n: Int) throws(Failure) -> UInt128 {
        guard n <= 16, o >= 0, o + n <= end else { throw Failure(message: "\(n)-byte number at byte \(o) runs past the end") }
        var v: UInt128 = 0
        for k in 0..<n { v = v << 8 | UInt128(bytes[o + k]) }
        return v
    }

    /// The value at `offset` and the offset just after it.
    mutating func value(at offset: Int) throws(Failure) -> (value: MMDBValue, next: Int) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw Failure(message: "values nested more than 64 deep") }
        budget -= 1
        guard budget >= 0 else { throw Failure(message: "record at byte \(offset) expands to over a million values") }
        let control = try byte(offset)
        var o = offset + 1
        var type = control >> 5
        if type == 1 {
            // Pointer: size bits say how many more bytes; the target is decoded in its place.
            let ss = (control >> 3) & 3
            let vvv = control & 7
            let target: Int
            switch ss {
            case 0: target = vvv << 8 | (try byte(o)); o += 1
            case 1: target = (vvv << 16 | Int(try unsigned(o, 2))) + 2048; o += 2
            case 2: target = (vvv << 24 | Int(try unsigned(o, 3))) + 526_336; o += 3
            default: target = Int(try unsigned(o, 4)); o += 4
            }
            let at = base + target
            guard at >= base && at < end else { throw Failure(message: "pointer at byte \(offset) leads outside the section") }
            guard (try byte(at)) >> 5 != 1 else { throw Failure(message: "pointer at byte \(offset) leads to another pointer") }
            return (try value(at: at).value, o)
        }
        if type == 0 {
            type = 7 + (try byte(o))
            o += 1
        }
        var size = control & 0x1F
        switch size {
        case 29: size = 29 + (try byte(o)); o += 1
        case 30: size = 285 + Int(try unsigned(o, 2)); o += 2
        case 31: size = 65_821 + Int(try unsigned(o, 3)); o += 3
        default: break
        }
        func payload() throws(Failure) -> Range<Int> {
            guard o + size <= end else { throw Failure(message: "\(size)-byte value at byte \(offset) runs past the end") }
            return o..<(o + size)
        }
        switch type {
        case 2:
            let r = try payload()
            guard let s = String(validating: bytes[r], as: UTF8.self) else { throw Failure(message: "string at byte \(offset) is not valid UTF-8") }
            return (.string(s), r.upperBound)
        case 3:
            guard size == 8 else { throw Failure(message: "double at byte \(offset) has size \(size), not 8") }
            let r = try payload()
            return (.double(Double(bitPattern: UInt64(try unsigned(r.lowerBound, 8)))), r.upperBound)
        case 4:
            let r = try payload()
            return (.bytes(Array(bytes[r])), r.upperBound)
        case 5, 6, 9:
            let limit = type == 5 ? 2 : type == 6 ? 4 : 8
            guard size <= limit else { throw Failure(message: "unsigned number at byte \(offset) has size \(size), over \(limit)") }
            let r = try payload()
            return (.unsigned(UInt64(try unsigned(r.lowerBound, size))), r.upperBound)
        case 10:
            guard size <= 16 else { throw Failure(message: "uint128 at byte \(offset) has size \(size)") }
            let r = try payload()
            return (.uint128(try unsigned(r.lowerBound, size)), r.upperBound)
        case 8:
            guard size <= 4 else { throw Failure(message: "int32 at byte \(offset) has size \(size)") }
            let r = try payload()
            return (.int32(Int32(bitPattern: UInt32(try unsigned(r.lowerBound, size)))), r.upperBound)
        case 7:
            var pairs: [(key: String, value: MMDBValue)] = []
            pairs.reserveCapacity(min(size, 64))
            for _ in 0..<size {
                let (k, afterKey) = try value(at: o)
                guard case .string(let key) = k else { throw Failure(message: "map key at byte \(o) is not a string") }
                let (v, afterValue) = try value(at: afterKey)
                pairs.append((key, v))
                o = afterValue
            }
            return (.map(pairs), o)
        case 11:
            var items: [MMDBValue] = []
            items.reserveCapacity(min(size, 64))
            for _ in 0..<size {
                let (v, after) = try value(at: o)
                items.append(v)
                o = after
            }
            return (.array(items), o)
        case 14:
            guard size <= 1 else { throw Failure(message: "boolean at byte \(offset) has value \(size)") }
            return (.boolean(size == 1), o)
        case 15:
            guard size == 4 else { throw Failure(message: "float at byte \(offset) has size \(size), not 4") }
            let r = try payload()
            return (.float(Float(bitPattern: UInt32(try unsigned(r.lowerBound, 4)))), r.upperBound)
        default:
            throw Failure(message: "unknown or misplaced type \(type) at byte \(offset)")
        }
    }
}
