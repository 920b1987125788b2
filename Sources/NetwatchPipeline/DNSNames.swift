import NetwatchDecode

/// The names a DNS response gives addresses: its first question's name for each A and AAAA
/// answer (the name the client asked for, which a reader knows, rather than the CDN name at
/// the end of a CNAME chain). Labels are joined with dots; a dot inside a label is `\.`.
enum DNSNames {
    static let perResponse = 16

    /// `body` for each answer whose address was not named already this second (`cache`).
    static func each(_ m: DNSMessage, cache: DNSNameCache, second: Int64, _ body: (String, IPAddress) -> Void) {
        var question = -1
        var found = 0
        var name: String?
        _ = m.forEachRecord { r in
            switch r.section {
            case .question:
                if question < 0 { question = r.nameOffset }
                return true
            case .answer:
                guard question >= 0 else { return false }
                let b = m.bytes
                let address: IPAddress
                if r.type == 1 && r.dataLength == 4 && b.contains(r.dataOffset, 4) {
                    address = IPAddress(ipv4: b.u32(r.dataOffset))
                } else if r.type == 28 && r.dataLength == 16 && b.contains(r.dataOffset, 16) {
                    address = IPAddress(ipv6High: b.u64(r.dataOffset), low: b.u64(r.dataOffset + 8))
                } else {
                    return true
                }
                if cache.seen(address, second: second) { return true }
                // The question's name, made once for all the answers.
                if name == nil { name = Self.name(m, at: question) }
                guard let name else { return false }
                body(name, address)
                found += 1
                return found < perResponse
            default:
                return false
            }
        }
    }

    static func name(_ m: DNSMessage, at offset: Int) -> String? {
        // At most 255 bytes on the wire, each at most doubled by its escape.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { out in
            var n = 0
            let ok = m.readName(at: offset) { label in
                if n > 0 { out[n] = UInt8(ascii: "."); n += 1 }
                for c in label {
                    if c == UInt8(ascii: ".") || c == UInt8(ascii: "\\") { out[n] = UInt8(ascii: "\\"); n += 1 }
                    out[n] = c
                    n += 1
                }
            }
            guard ok, n > 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: out[0..<n]), as: UTF8.self)
        }
    }
}
