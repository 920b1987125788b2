import NetwatchDecode

/// DNS names and record data as text, sanitised: names come from the network and may hold
/// any byte, so nothing reaches a terminal or a JSON string unescaped.
extension OutputBuffer {
    /// Writes the name at `offset` (`<Root>` for the root, as Wireshark shows it);
    /// `<malformed>` when it cannot be read. `quote` escapes `"` for JSON.
    public func dnsName(_ m: DNSMessage, at offset: Int, quote: Bool = false) {
        let mark = count
        var labels = 0
        let ok = m.readName(at: offset) { label in
            if labels > 0 { byte(UInt8(ascii: ".")) }
            sanitized(label, escapeDot: true, json: quote)
            labels += 1
        }
        if !ok {
            if count >= mark { rewind(to: mark) }
            text("<malformed>")
        } else if labels == 0 {
            text("<Root>")
        }
    }

    /// Record data in presentation form for the common types, else its length.
    public func dnsData(_ m: DNSMessage, _ r: DNSMessage.Record, quote: Bool = false) {
        let b = m.bytes
        let o = r.dataOffset
        switch r.type {
        case 1 where r.dataLength == 4:
            address(IPAddress(ipv4: b.u32(o)))
        case 28 where r.dataLength == 16:
            address(IPAddress(ipv6High: b.u64(o), low: b.u64(o + 8)))
        case 2, 5, 12, 39:
            dnsName(m, at: o, quote: quote)
        case 15 where r.dataLength >= 3:
            decimal(Int(b.u16(o)))
            byte(0x20)
            dnsName(m, at: o + 2, quote: quote)
        case 33 where r.dataLength >= 7:
            decimal(Int(b.u16(o)))
            byte(0x20)
            decimal(Int(b.u16(o + 2)))
            byte(0x20)
            decimal(Int(b.u16(o + 4)))
            byte(0x20)
            dnsName(m, at: o + 6, quote: quote)
        case 16:
            // TXT: character-strings, each length-prefixed.
            var i = o
            var first = true
            while i < o + r.dataLength {
                let n = Int(b.u8(i))
                guard i + 1 + n <= o + r.dataLength else { break }
                if !first { byte(0x20) }
                text(quote ? "\\\"" : "\"")
                sanitized(UnsafeRawBufferPointer(rebasing: b.buffer[(i + 1)..<(i + 1 + n)]), json: quote)
                text(quote ? "\\\"" : "\"")
                first = false
                i += 1 + n
            }
        default:
            byte(UInt8(ascii: "<"))
            decimal(r.dataLength)
            text(" bytes>")
        }
    }

    public func dnsType(_ t: UInt16) {
        if let name = ProtocolNames.dnsType(t) {
            text(name)
        } else {
            text("TYPE")
            decimal(Int(t))
        }
    }

    /// Drops what was appended since `mark` (a name that turned out malformed), if still buffered.
    func rewind(to mark: Int) {
        if mark <= count { discard(count - mark) }
    }
}

extension PacketFormatter {
    /// tcpdump-like summary: `A? example.com` for a query; `NOERROR A example.com: A 1.2.3.4, ...`
    /// for a response (first three answers).
    func writeDNSSummary(_ p: DecodedPacket, _ c: PacketContext) {
        let m = DNSMessage(packet: c.dnsBytes, info: p.dns)
        out.text(palette.dns)
        if p.dns.isResponse {
            out.text(ProtocolNames.dnsResponseCode(p.dns.responseCode))
            out.byte(0x20)
        }
        var answers = 0
        var questions = 0
        m.forEachRecord { r in
            switch r.section {
            case .question:
                questions += 1
                if questions > 1 { return true }
                out.dnsType(r.type)
                if !p.dns.isResponse { out.byte(UInt8(ascii: "?")) }
                out.byte(0x20)
                out.dnsName(m, at: r.nameOffset)
            case .answer:
                answers += 1
                if answers > 3 { return true }
                out.text(answers > 1 ? ", " : questions > 0 ? ": " : "")
                out.dnsType(r.type)
                out.byte(0x20)
                out.dnsData(m, r)
            default:
                return false
            }
            return true
        }
        if answers > 3 {
            out.text(" (+")
            out.decimal(answers - 3)
            out.text(" more)")
        }
        out.text(palette.reset)
    }
}
