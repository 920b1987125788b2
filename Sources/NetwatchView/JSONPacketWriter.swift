import NetwatchDecode

/// One JSON object per packet per line, for jq and scripts. Field names follow Suricata's
/// EVE where it has one (`timestamp`, `src_ip`, `dest_port`, `proto`, `dns`, ...).
public final class JSONPacketWriter {
    let out: OutputBuffer
    let services: ServiceTable?
    var clock = PacketClock()

    public init(output: OutputBuffer, services: ServiceTable?) {
        out = output
        self.services = services
    }

    public func write(_ p: DecodedPacket, _ c: PacketContext) {
        out.reserve(1024)
        if c.nanoseconds == PacketContext.untimed {
            out.text("{\"pkt_num\":")  // no time in the file: no timestamp field
        } else {
            out.text("{\"timestamp\":\"")
            writeTimestamp(c)
            out.text("\",\"pkt_num\":")
        }
        out.decimal(c.number)
        if let interface = c.interface {
            out.text(",\"in_iface\":\"")
            out.string(interface)
            out.byte(UInt8(ascii: "\""))
        }
        out.text(",\"length\":")
        out.decimal(c.wireLength)
        out.text(",\"caplen\":")
        out.decimal(c.bytes.count)
        out.text(",\"link_type\":\"")
        out.string(p.linkType.name)
        out.byte(UInt8(ascii: "\""))
        if p.hasMAC {
            out.text(",\"src_mac\":\"")
            out.mac(p.srcMAC)
            out.text("\",\"dest_mac\":\"")
            out.mac(p.dstMAC)
            out.byte(UInt8(ascii: "\""))
        }
        if p.vlanCount > 0 {
            out.text(",\"vlan\":[")
            out.decimal(Int(p.vlanIDs.0))
            if p.vlanCount > 1 {
                out.byte(UInt8(ascii: ","))
                out.decimal(Int(p.vlanIDs.1))
            }
            out.byte(UInt8(ascii: "]"))
        }
        if p.etherType != 0 {
            out.text(",\"ether_type\":")
            out.decimal(Int(p.etherType))
        }
        writeProto(p)
        switch p.network {
        case .ipv4 where p.ipHeaderLength > 0, .ipv6 where p.ipHeaderLength > 0:
            writeIP(p)
        case .arp:
            writeARP(p)
        default: break
        }
        switch p.transport {
        case .tcp, .udp:
            writePorts(p)
        case .icmp, .icmpv6:
            out.text(",\"icmp_type\":")
            out.decimal(Int(p.icmp.type))
            out.text(",\"icmp_code\":")
            out.decimal(Int(p.icmp.code))
            if p.icmp.hasEcho {
                out.text(",\"icmp_id\":")
                out.decimal(Int(p.icmp.identifier))
                out.text(",\"icmp_seq\":")
                out.decimal(Int(p.icmp.sequence))
            }
            if let target = p.icmp.target {
                out.text(",\"icmp_target\":\"")
                out.address(target)
                out.byte(UInt8(ascii: "\""))
            }
        default: break
        }
        if p.payloadLength > 0 || p.payloadMissing > 0 {
            out.text(",\"payload_length\":")
            out.decimal(p.payloadLength + p.payloadMissing)
        }
        if p.application == .dns {
            out.text(",\"app_proto\":\"dns\"")
            if p.dns.continuation {
                out.text(",\"dns\":{\"continuation\":true}")  // no header in this segment
            } else {
                writeDNS(p, c)
            }
        }
        if !p.encapsulation.isEmpty { writeEncapsulation(p, c) }
        if p.isUndecodedLink {
            out.text(",\"not_decoded\":\"link type ")
            out.string(p.linkType.description)
            out.byte(UInt8(ascii: "\""))
        } else if let issue = p.issue {
            out.text(",\"error\":{\"layer\":\"")
            out.string(issue.layer.name)
            out.text("\",\"kind\":\"")
            out.string(issue.kind.name)
            out.text("\"}")
        }
        out.text("}\n")
    }

    /// `"encapsulation":[{"type":"vxlan","vni":42,"src_ip":...},...]`, outermost first: each
    /// tunnel with its outer packet's addresses (and ports, over UDP).
    func writeEncapsulation(_ p: DecodedPacket, _ c: PacketContext) {
        out.text(",\"encapsulation\":[")
        var tunnel = 0
        var outer = DecodedPacket()
        for i in 0..<Int(p.encapsulation.count) {
            let e = p.encapsulation[i]
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.text("{\"type\":\"")
            out.text(EncapsulationText.label(e.kind))
            out.byte(UInt8(ascii: "\""))
            if let key = EncapsulationText.idKey(e.kind) {
                out.text(",\"")
                out.text(key)
                out.text("\":")
                out.decimal(UInt64(e.id))
            }
            if e.kind.isTunnel {
                PacketDecoder().decode(c.bytes, linkType: p.linkType, wireLength: c.wireLength, outerLevel: tunnel, into: &outer)
                tunnel += 1
                out.text(",\"src_ip\":\"")
                out.address(outer.src)
                out.text("\",\"dest_ip\":\"")
                out.address(outer.dst)
                out.byte(UInt8(ascii: "\""))
                if outer.transport == .udp {
                    out.text(",\"src_port\":")
                    out.decimal(Int(outer.srcPort))
                    out.text(",\"dest_port\":")
                    out.decimal(Int(outer.dstPort))
                }
            }
            out.byte(UInt8(ascii: "}"))
        }
        out.byte(UInt8(ascii: "]"))
    }

    /// ISO 8601 in UTC with microseconds, as EVE writes it: `2024-05-01T12:00:00.123456+0000`.
    func writeTimestamp(_ c: PacketContext) {
        let t = clock.utcTime(c.seconds)
        out.zeroPadded(Int(t.tm_year) + 1900, digits: 4)
        out.byte(UInt8(ascii: "-"))
        out.zeroPadded(Int(t.tm_mon) + 1, digits: 2)
        out.byte(UInt8(ascii: "-"))
        out.zeroPadded(Int(t.tm_mday), digits: 2)
        out.byte(UInt8(ascii: "T"))
        out.zeroPadded(Int(t.tm_hour), digits: 2)
        out.byte(UInt8(ascii: ":"))
        out.zeroPadded(Int(t.tm_min), digits: 2)
        out.byte(UInt8(ascii: ":"))
        out.zeroPadded(Int(t.tm_sec), digits: 2)
        out.byte(UInt8(ascii: "."))
        out.zeroPadded(Int(c.nanoseconds / 1000), digits: 6)
        out.text("+0000")
    }

    func writeProto(_ p: DecodedPacket) {
        out.text(",\"proto\":\"")
        switch p.network {
        case .arp: out.text("ARP")
        case .ipv4, .ipv6:
            if let name = ProtocolNames.ipProtocol(p.ipProtocol) {
                out.text(name)
            } else {
                out.decimal(Int(p.ipProtocol))
            }
        case .other:
            if let name = ProtocolNames.etherType(p.etherType) { out.text(name) } else { out.text(p.etherType == 0 ? "LLC" : "ETHER") }
        case .none:
            out.text("UNKNOWN")
        }
        out.byte(UInt8(ascii: "\""))
    }

    func writeIP(_ p: DecodedPacket) {
        out.text(",\"src_ip\":\"")
        out.address(p.src)
        out.text("\",\"dest_ip\":\"")
        out.address(p.dst)
        out.text("\",\"ip_version\":")
        out.byte(p.network == .ipv4 ? UInt8(ascii: "4") : UInt8(ascii: "6"))
        out.text(",\"ttl\":")
        out.decimal(Int(p.ttl))
        out.text(p.network == .ipv4 ? ",\"ip_id\":" : ",\"flow_label\":")
        out.decimal(Int(p.network == .ipv4 ? p.ipID : p.ipID & 0xFFFFF))
        out.text(",\"ip_len\":")
        out.decimal(p.ipLength)
        if p.fragment.isFragment {
            out.text(",\"fragment\":{\"offset\":")
            out.decimal(p.fragment.offset)
            out.text(",\"more_fragments\":")
            out.text(p.fragment.moreFragments ? "true" : "false")
            if p.network == .ipv6 {
                out.text(",\"id\":")
                out.decimal(UInt64(p.ipID))
            }
            out.byte(UInt8(ascii: "}"))
        }
    }

    func writeARP(_ p: DecodedPacket) {
        out.text(",\"arp\":{\"opcode\":")
        out.decimal(Int(p.arp.operation))
        if p.arp.isEthernetIPv4 {
            out.text(",\"src_mac\":\"")
            out.mac(p.arp.senderMAC)
            out.text("\",\"dest_mac\":\"")
            out.mac(p.arp.targetMAC)
            out.byte(UInt8(ascii: "\""))
        }
        if p.arp.hasIPv4 {
            out.text(",\"src_ip\":\"")
            out.address(p.arp.senderIP)
            out.text("\",\"dest_ip\":\"")
            out.address(p.arp.targetIP)
            out.byte(UInt8(ascii: "\""))
        }
        out.byte(UInt8(ascii: "}"))
        if p.arp.hasIPv4 {
            out.text(",\"src_ip\":\"")
            out.address(p.arp.senderIP)
            out.text("\",\"dest_ip\":\"")
            out.address(p.arp.targetIP)
            out.byte(UInt8(ascii: "\""))
        }
    }

    func writePorts(_ p: DecodedPacket) {
        out.text(",\"src_port\":")
        out.decimal(Int(p.srcPort))
        out.text(",\"dest_port\":")
        out.decimal(Int(p.dstPort))
        let isTCP = p.transport == .tcp
        let low = min(p.srcPort, p.dstPort)
        let high = max(p.srcPort, p.dstPort)
        if let name = services?.nameBytes(port: low, tcp: isTCP) ?? services?.nameBytes(port: high, tcp: isTCP) {
            out.text(",\"service\":\"")
            out.bytes(name)
            out.byte(UInt8(ascii: "\""))
        }
        guard isTCP, p.tcp.headerLength > 0 else { return }
        let t = p.tcp
        out.text(",\"tcp_flags\":\"")
        out.string(t.flags.tcpdumpLetters)
        out.text("\",\"tcp\":{\"seq\":")
        out.decimal(UInt64(t.seq))
        out.text(",\"ack\":")
        out.decimal(UInt64(t.ack))
        out.text(",\"window\":")
        out.decimal(Int(t.window))
        out.text(",\"header_length\":")
        out.decimal(t.headerLength)
        if t.mss >= 0 {
            out.text(",\"mss\":")
            out.decimal(Int(t.mss))
        }
        if t.windowScale >= 0 {
            out.text(",\"wscale\":")
            out.decimal(Int(t.windowScale))
        }
        if t.sackPermitted { out.text(",\"sack_permitted\":true") }
        if t.sackBlocks > 0 {
            out.text(",\"sack_blocks\":")
            out.decimal(Int(t.sackBlocks))
        }
        if t.hasTimestamp {
            out.text(",\"tsval\":")
            out.decimal(UInt64(t.tsval))
            out.text(",\"tsecr\":")
            out.decimal(UInt64(t.tsecr))
        }
        out.byte(UInt8(ascii: "}"))
    }

    func writeDNS(_ p: DecodedPacket, _ c: PacketContext) {
        let m = DNSMessage(packet: c.dnsBytes, info: p.dns)
        out.text(",\"dns\":{\"type\":\"")
        out.text(p.dns.isResponse ? "answer" : "query")
        out.text("\",\"id\":")
        out.decimal(Int(p.dns.id))
        if p.dns.isResponse {
            out.text(",\"rcode\":\"")
            out.text(ProtocolNames.dnsResponseCode(p.dns.responseCode))
            out.byte(UInt8(ascii: "\""))
        }
        out.text(",\"flags\":\"")
        out.hex(UInt64(p.dns.flags), digits: 4)
        out.byte(UInt8(ascii: "\""))
        var section: DNSMessage.Section? = nil
        m.forEachRecord { r in
            if r.section == .authority || r.section == .additional { return false }
            if r.section != section {
                out.text(section == nil ? "" : "]")
                out.text(r.section == .question ? ",\"queries\":[" : ",\"answers\":[")
                section = r.section
            } else {
                out.byte(UInt8(ascii: ","))
            }
            out.text("{\"rrname\":\"")
            out.dnsName(m, at: r.nameOffset, quote: true)
            out.text("\",\"rrtype\":\"")
            out.dnsType(r.type)
            out.byte(UInt8(ascii: "\""))
            if r.section == .answer {
                out.text(",\"ttl\":")
                out.decimal(UInt64(r.ttl))
                out.text(",\"rdata\":\"")
                out.dnsData(m, r, quote: true)
                out.byte(UInt8(ascii: "\""))
            }
            out.byte(UInt8(ascii: "}"))
            return true
        }
        if section != nil { out.byte(UInt8(ascii: "]")) }
        out.byte(UInt8(ascii: "}"))
    }
}
