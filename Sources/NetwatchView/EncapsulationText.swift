import NetwatchDecode

/// How tunnels, shims and the frames that carry no IP (802.11 management, PPP control,
/// PPPoE discovery) are named on the terminal and in JSON; no allocation.
enum EncapsulationText {
    /// The short tag of the compact line: `vxlan`, `mpls`, ...
    static func label(_ kind: EncapsulationKind) -> StaticString {
        switch kind {
        case .mpls: return "mpls"
        case .pppoe: return "pppoe"
        case .etag: return "etag"
        case .vntag: return "vntag"
        case .erspan: return "erspan"
        case .gre: return "gre"
        case .vxlan: return "vxlan"
        case .geneve: return "geneve"
        case .gtp: return "gtpu"
        case .teredo: return "teredo"
        case .ip4in4: return "ipip"
        case .ip6in4: return "6in4"
        case .ip4in6: return "4in6"
        case .ip6in6: return "6in6"
        }
    }

    /// The identifier's JSON key, where the kind has one: nil for none.
    static func idKey(_ kind: EncapsulationKind) -> StaticString? {
        switch kind {
        case .mpls: return "label"
        case .pppoe: return "session_id"
        case .etag: return "ecid"
        case .vntag: return "vif_id"
        case .erspan: return "span_id"
        case .gre: return "key"
        case .vxlan, .geneve: return "vni"
        case .gtp: return "teid"
        case .teredo, .ip4in4, .ip6in4, .ip4in6, .ip6in6: return nil
        }
    }

    /// Whether the compact tag shows the identifier (a GRE key only when there is one).
    static func showsID(_ e: Encapsulation.Entry) -> Bool {
        guard idKey(e.kind) != nil, e.kind != .pppoe else { return false }
        return e.kind != .gre || e.id != 0
    }

    /// 802.11 frame types and subtypes (802.11-2020 table 9-1), the common ones.
    static func wlanFrame(_ control: UInt16) -> StaticString {
        let type = control >> 2 & 0x3
        let subtype = control >> 4 & 0xF
        switch (type, subtype) {
        case (0, 0): return "association request"
        case (0, 1): return "association response"
        case (0, 2): return "reassociation request"
        case (0, 3): return "reassociation response"
        case (0, 4): return "probe request"
        case (0, 5): return "probe response"
        case (0, 8): return "beacon"
        case (0, 10): return "disassociation"
        case (0, 11): return "authentication"
        case (0, 12): return "deauthentication"
        case (0, 13): return "action"
        case (0, _): return "management"
        case (1, 8): return "block ack request"
        case (1, 9): return "block ack"
        case (1, 11): return "RTS"
        case (1, 12): return "CTS"
        case (1, 13): return "ACK"
        case (1, _): return "control"
        case (2, _) where control & 0x4000 != 0: return "protected data"
        case (2, let s) where s & 0x4 != 0: return "null data"
        case (2, _): return "data"
        default: return "extension"
        }
    }

    /// PPP's control protocols by number.
    static func pppProtocol(_ proto: UInt16) -> StaticString? {
        switch proto {
        case 0xC021: return "LCP"
        case 0xC023: return "PAP"
        case 0xC223: return "CHAP"
        case 0x8021: return "IPCP"
        case 0x8057: return "IPv6CP"
        case 0x80FD: return "CCP"
        case 0x8281: return "MPLSCP"
        default: return nil
        }
    }

    /// PPPoE discovery codes (RFC 2516).
    static func pppoeCode(_ code: UInt8) -> StaticString {
        switch code {
        case 0x09: return "PADI"
        case 0x07: return "PADO"
        case 0x19: return "PADR"
        case 0x65: return "PADS"
        case 0xA7: return "PADT"
        default: return "discovery"
        }
    }
}

extension PacketFormatter {
    /// ` [vxlan 42] [mpls 16]`: the layers the packet came through, outermost first.
    func writeEncapsulationTags(_ p: DecodedPacket) {
        for i in 0..<Int(p.encapsulation.count) {
            let e = p.encapsulation[i]
            out.text(" ")
            out.text(palette.dim)
            out.byte(UInt8(ascii: "["))
            out.text(EncapsulationText.label(e.kind))
            if EncapsulationText.showsID(e) {
                out.byte(0x20)
                out.decimal(UInt64(e.id))
            }
            out.byte(UInt8(ascii: "]"))
            out.text(palette.reset)
        }
    }

    /// What a frame without IP is, where the link or a shim says more than its EtherType:
    /// false when there is nothing more to say.
    func writeNonIPFrame(_ p: DecodedPacket, _ c: PacketContext) -> Bool {
        if p.pppProtocol != 0 {
            out.text("PPP ")
            if let name = EncapsulationText.pppProtocol(p.pppProtocol) {
                out.text(name)
            } else {
                out.text("protocol 0x")
                out.hex(UInt64(p.pppProtocol), digits: 4)
            }
            return true
        }
        if p.etherType == 0x8863, let e = p.encapsulation.innermost, e.kind == .pppoe, c.bytes.contains(e.offset + 1, 1) {
            out.text("PPPoE ")
            out.text(EncapsulationText.pppoeCode(c.bytes.u8(e.offset + 1)))
            if e.id != 0 {
                out.text(" session ")
                out.decimal(UInt64(e.id))
            }
            return true
        }
        if p.wlanFrameControl != 0 || p.linkType == .ieee80211 || p.linkType == .ieee80211Radiotap, p.etherType == 0 {
            out.text("802.11 ")
            out.text(EncapsulationText.wlanFrame(p.wlanFrameControl))
            return true
        }
        return false
    }

    /// The detailed view's lines for the layers the packet came through: for a tunnel, its
    /// outer packet (decoded again as far as the tunnel), then the tunnel's header.
    func writeEncapsulationDetails(_ p: DecodedPacket, _ c: PacketContext) {
        var tunnel = 0
        var outer = DecodedPacket()
        for i in 0..<Int(p.encapsulation.count) {
            let e = p.encapsulation[i]
            if e.kind.isTunnel {
                PacketDecoder().decode(c.bytes, linkType: p.linkType, wireLength: c.wireLength, outerLevel: tunnel, into: &outer)
                tunnel += 1
                out.text("    outer ")
                out.text(outer.network == .ipv6 ? "IPv6 " : "IPv4 ")
                out.address(outer.src)
                out.text(" → ")
                out.address(outer.dst)
                out.text(" ttl ")
                out.decimal(Int(outer.ttl))
                out.text(" len ")
                out.decimal(outer.ipLength)
                if outer.transport == .udp {
                    out.text(" | UDP ")
                    out.decimal(Int(outer.srcPort))
                    out.text(" → ")
                    out.decimal(Int(outer.dstPort))
                }
                out.byte(0x0A)
            }
            out.text("    ")
            out.string(e.kind.layer == .ipv4 || e.kind.layer == .ipv6 ? "IP in IP (\(e.kind.name))" : e.kind.layer.name)
            if let key = EncapsulationText.idKey(e.kind), e.kind != .gre || e.id != 0 {
                out.byte(0x20)
                out.text(key)
                out.byte(0x20)
                out.decimal(UInt64(e.id))
            }
            if e.kind == .mpls { writeMPLSStack(c.bytes, at: e.offset) }
            out.byte(0x0A)
        }
    }

    /// Every label of an MPLS stack, top first, with its traffic class and TTL.
    private func writeMPLSStack(_ b: PacketBytes, at offset: Int) {
        out.text(" stack")
        var o = offset
        for _ in 0..<16 where b.contains(o, 4) {
            let entry = b.u32(o)
            out.text(" [")
            out.decimal(UInt64(entry >> 12))
            out.text(" tc ")
            out.decimal(UInt64(entry >> 9 & 0x7))
            out.text(" ttl ")
            out.decimal(UInt64(entry & 0xFF))
            out.byte(UInt8(ascii: "]"))
            if entry & 0x100 != 0 { break }
            o += 4
        }
    }
}
