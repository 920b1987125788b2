import NetwatchDecode

/// The line-by-line reader behind `GeoCSVTable`: fields split by commas, RFC 4180 quotes for
/// organisation names, every value checked.
struct GeoCSVParser {
    let kind: GeoCSVTable.Kind
    var v4: [(start: UInt32, end: UInt32, entry: Int32)] = []
    var v6: [(start: UInt128, end: UInt128, entry: Int32)] = []
    var networks: [(asn: UInt32, organization: String)] = []
    private var networkIndex: [String: Int32] = [:]
    var rows = 0
    private var fields: [Range<Int>] = []
    private var unquoted: [UInt8] = []

    init(kind: GeoCSVTable.Kind) { self.kind = kind }

    mutating func parse(_ bytes: [UInt8], name: String) throws(GeoError) {
        var lineStart = 0
        var lineNumber = 0
        let count = bytes.count
        v4.reserveCapacity(v4.count + count / 28)
        while lineStart < count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
            defer { lineStart = lineEnd + 1 }
            if end == lineStart || bytes[lineStart] == UInt8(ascii: "#") { continue }
            // A header line ("start_ip,end_ip,...") is allowed on line 1 only.
            if lineNumber == 1 && !Self.mayStartAddress(bytes[lineStart]) { continue }
            try parseLine(bytes, lineStart..<end) { (message: String) -> GeoError in
                GeoError("\(name):\(lineNumber): \(message)")
            }
            rows += 1
        }
    }

    static func mayStartAddress(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ":") || (c >= 0x30 && c <= 0x39) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "f"))
    }

    private mutating func parseLine(_ bytes: [UInt8], _ line: Range<Int>, _ fail: (String) -> GeoError) throws(GeoError) {
        fields.removeAll(keepingCapacity: true)
        var i = line.lowerBound
        var fieldStart = i
        var quoted = false
        while i < line.upperBound {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if c == UInt8(ascii: ","), !quoted {
                fields.append(fieldStart..<i)
                fieldStart = i + 1
            }
            i += 1
        }
        if quoted { throw fail("unterminated quote") }
        fields.append(fieldStart..<line.upperBound)
        let expected = kind == .country ? 3 : 4
        guard fields.count == expected else {
            throw fail("expected \(expected) fields (\(kind == .country ? "start,end,country" : "start,end,asn,organization")), found \(fields.count): \(Self.quote(bytes[line]))")
        }
        let start = bytes[fields[0]]
        let end = bytes[fields[1]]
        let entry: Int32
        switch kind {
        case .country:
            let code = bytes[fields[2]]
            guard code.count == 2, let a = CountryCode.letter(code[code.startIndex]), let b = CountryCode.letter(code[code.startIndex + 1]) else {
                throw fail("country \(Self.quote(code)) is not a two-letter code")
            }
            entry = Int32(a) << 8 | Int32(b)
        case .asn:
            let number = bytes[fields[2]]
            var asn: UInt64 = 0
            for c in number {
                guard c >= 0x30 && c <= 0x39, asn <= UInt64(UInt32.max) else { throw fail("ASN \(Self.quote(number)) is not a number") }
                asn = asn * 10 + UInt64(c - 0x30)
            }
            guard !number.isEmpty, asn <= UInt64(UInt32.max) else { throw fail("ASN \(Self.quote(number)) is not a number") }
            let org = unquote(bytes[fields[3]])
            let key = "\(asn)\u{0}\(org)"
            if let known = networkIndex[key] {
                entry = known
            } else {
                entry = Int32(networks.count)
                networks.append((UInt32(asn), org))
                networkIndex[key] = entry
            }
        }
        if let s = IPAddress.parseIPv4(start) {
            guard let e = IPAddress.parseIPv4(end) else { throw fail(Self.endProblem(end)) }
            guard s <= e else { throw fail("range ends (\(Self.quote(end))) before it starts (\(Self.quote(start)))") }
            v4.append((s, e, entry))
        } else if let (sh, sl) = IPAddress.parseIPv6(start) {
            guard let (eh, el) = IPAddress.parseIPv6(end) else { throw fail(Self.endProblem(end)) }
            let s = UInt128(sh) << 64 | UInt128(sl)
            let e = UInt128(eh) << 64 | UInt128(el)
            guard s <= e else { throw fail("range ends (\(Self.quote(end))) before it starts (\(Self.quote(start)))") }
            v6.append((s, e, entry))
        } else {
            throw fail("start \(Self.quote(start)) is not an IP address")
        }
    }

    static func endProblem(_ end: ArraySlice<UInt8>) -> String {
        IPAddress(String(decoding: end, as: UTF8.self)) == nil
            ? "end \(quote(end)) is not an IP address"
            : "end \(quote(end)) is not of the same IP version as the start"
    }

    /// An RFC 4180 field's text: surrounding quotes removed, doubled quotes made single.
    private mutating func unquote(_ field: ArraySlice<UInt8>) -> String {
        guard field.first == UInt8(ascii: "\""), field.count >= 2, field.last == UInt8(ascii: "\"") else {
            return String(decoding: field, as: UTF8.self)
        }
        unquoted.removeAll(keepingCapacity: true)
        var previousQuote = false
        for c in field.dropFirst().dropLast() {
            if c == UInt8(ascii: "\""), previousQuote { previousQuote = false; continue }
            previousQuote = c == UInt8(ascii: "\"")
            unquoted.append(c)
        }
        return String(decoding: unquoted, as: UTF8.self)
    }

    /// Bytes from the file, safe to print in a message.
    static func quote(_ bytes: ArraySlice<UInt8>) -> String {
        var out = "'"
        for c in bytes.prefix(80) {
            if c < 0x20 || c >= 0x7F { out += "\\x" + String(c, radix: 16) } else { out.unicodeScalars.append(Unicode.Scalar(c)) }
        }
        return out + (bytes.count > 80 ? "...'" : "'")
    }
}
