import NetwatchDecode

/// The extra lines of the detailed view: one per layer, then DNS records and a hex
/// preview of the first 64 payload bytes.
extension PacketFormatter {
    func writeDetails(_ p: DecodedPacket, _ c: PacketContext) {
        out.text(palette.dim)
        if !p.encapsulation.isEmpty { writeEncapsulationDetails(p, c) }
        if p.hasMAC || p.vlanCount > 0 {
            out.text("    link ")
            out.text(p.wlanFrameControl != 0 ? "802.11 " : p.linkType == .ethernet ? "ethernet " : "")
            if p.hasMAC {
                out.mac(p.srcMAC)
                out.text(" → ")
                out.mac(p.dstMAC)
            }
            if p.vlanCount > 0 {
                out.text(" vlan ")
                out.decimal(Int(p.vlanIDs.0))
                if p.vlanCount > 1 {
                    out.byte(UInt8(ascii: ","))
                    out.decimal(Int(p.vlanIDs.1))
                }
            }
            out.text(" type 0x")
            out.hex(UInt64(p.etherType), digits: 4)
            out.byte(0x0A)
        }
        switch p.network {
        case .ipv4:
            out.text("    IPv4 ttl ")
            out.decimal(Int(p.ttl))
            out.text(" id ")
            out.decimal(Int(p.ipID))
            out.text(" tos 0x")
            out.hex(UInt64(p.tos), digits: 2)
            out.text(" len ")
            out.decimal(p.ipLength)
            out.text(" hdr ")
            out.decimal(p.ipHeaderLength)
            if p.ipv4DontFragment { out.text(" DF") }
            if p.fragment.moreFragments { out.text(" MF") }
            if p.fragment.offset > 0 {
                out.text(" offset ")
                out.decimal(p.fragment.offset)
            }
            if p.ipExtensions & IPExtension.ipv4Options.rawValue != 0 { out.text(" [options]") }
            out.byte(0x0A)
        case .ipv6:
            out.text("    IPv6 hlim ")
            out.decimal(Int(p.ttl))
            out.text(" flow 0x")
            out.hex(UInt64(p.ipID & 0xFFFFF), digits: 5)
            out.text(" tclass 0x")
            out.hex(UInt64(p.tos), digits: 2)
            out.text(" len ")
            out.decimal(p.ipLength)
            if p.ipExtensions != 0 {
                out.text(" ext [")
                var first = true
                for e in IPExtension.allCases where e != .ipv4Options && p.ipExtensions & e.rawValue != 0 {
                    if !first { out.byte(UInt8(ascii: ",")) }
                    out.string(e.name)
                    first = false
                }
                out.byte(UInt8(ascii: "]"))
            }
            if p.fragment.isFragment {
                out.text(" frag id 0x")
                out.hex(UInt64(p.ipID), digits: 8)
            }
            out.byte(0x0A)
        case .arp where p.arp.hasIPv4:
            out.text("    ARP op ")
            out.decimal(Int(p.arp.operation))
            out.text(" sender ")
            if p.arp.isEthernetIPv4 {
                out.mac(p.arp.senderMAC)
                out.byte(0x20)
            }
            out.address(p.arp.senderIP)
            out.text(" target ")
            if p.arp.isEthernetIPv4 {
                out.mac(p.arp.targetMAC)
                out.byte(0x20)
            }
            out.address(p.arp.targetIP)
            out.byte(0x0A)
        default: break
        }
        if p.transport == .tcp && p.tcp.headerLength > 0 {
            let t = p.tcp
            out.text("    TCP seq ")
            out.decimal(UInt64(t.seq))
            out.text(" ack ")
            out.decimal(UInt64(t.ack))
            out.text(" win ")
            out.decimal(Int(t.window))
            out.text(" hdr ")
            out.decimal(t.headerLength)
            if t.flags.contains(.urg) {
                out.text(" urg ")
                out.decimal(Int(t.urgentPointer))
            }
            if t.headerLength > 20 {
                out.text(" options [")
                var first = true
                func sep() {
                    if !first { out.text(", ") }
                    first = false
                }
                if t.mss >= 0 {
                    sep()
                    out.text("mss ")
                    out.decimal(Int(t.mss))
                }
                if t.windowScale >= 0 {
                    sep()
                    out.text("wscale ")
                    out.decimal(Int(t.windowScale))
                }
                if t.sackPermitted {
                    sep()
                    out.text("sackOK")
                }
                if t.sackBlocks > 0 {
                    sep()
                    out.text("sack ")
                    out.decimal(Int(t.sackBlocks))
                }
                if t.hasTimestamp {
                    sep()
                    out.text("TS val ")
                    out.decimal(UInt64(t.tsval))
                    out.text(" ecr ")
                    out.decimal(UInt64(t.tsecr))
                }
                out.byte(UInt8(ascii: "]"))
            }
            out.byte(0x0A)
        }
        if p.application == .dns && !p.dns.continuation {
            writeDNSRecords(p, c)
        }
        if p.payloadLength > 0 {
            out.text("    payload ")
            out.decimal(p.payloadLength + p.payloadMissing)
            out.text(" bytes")
            if p.payloadMissing > 0 {
                out.text(" (")
                out.decimal(p.payloadLength)
                out.text(" captured)")
            }
            out.byte(0x0A)
            writeHex(c.bytes, from: p.payloadOffset, count: min(64, p.payloadLength))
        }
        out.text(palette.reset)
    }

    func writeDNSRecords(_ p: DecodedPacket, _ c: PacketContext) {
        let m = DNSMessage(packet: c.dnsBytes, info: p.dns)
        out.text("    DNS id 0x")
        out.hex(UInt64(p.dns.id), digits: 4)
        out.text(p.dns.isResponse ? " response " : " query")
        if p.dns.isResponse { out.text(ProtocolNames.dnsResponseCode(p.dns.responseCode)) }
        out.text(" qd ")
        out.decimal(Int(p.dns.questionCount))
        out.text(" an ")
        out.decimal(Int(p.dns.answerCount))
        out.text(" ns ")
        out.decimal(Int(p.dns.authorityCount))
        out.text(" ar ")
        out.decimal(Int(p.dns.additionalCount))
        out.byte(0x0A)
        var shown = 0
        m.forEachRecord { r in
            shown += 1
            if shown > 32 { return false }
            switch r.section {
            case .question: out.text("      question ")
            case .answer: out.text("      answer ")
            case .authority: out.text("      authority ")
            case .additional: out.text("      additional ")
            }
            out.dnsName(m, at: r.nameOffset)
            out.byte(0x20)
            out.dnsType(r.type)
            if r.section != .question && r.type != 41 {
                out.text(" ttl ")
                out.decimal(UInt64(r.ttl))
                out.byte(0x20)
                out.dnsData(m, r)
            }
            out.byte(0x0A)
            return true
        }
    }

    /// Offset, 16 bytes in hex, then the same bytes with anything unprintable as ".".
    func writeHex(_ b: PacketBytes, from start: Int, count: Int) {
        var row = 0
        while row < count {
            let n = min(16, count - row)
            out.text("      ")
            out.hex(UInt64(row), digits: 4)
            out.text("  ")
            for k in 0..<16 {
                if k < n {
                    out.hex(UInt64(b.u8(start + row + k)), digits: 2)
                    out.byte(0x20)
                } else {
                    out.text("   ")
                }
                if k == 7 { out.byte(0x20) }
            }
            out.byte(0x20)
            for k in 0..<n {
                let ch = b.u8(start + row + k)
                out.byte(ch >= 0x20 && ch < 0x7F ? ch : UInt8(ascii: "."))
            }
            out.byte(0x0A)
            row += 16
        }
    }
}
