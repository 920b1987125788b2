extension PacketDecoder {
    /// What an encapsulation carries.
    enum Inner {
        case ethernet, ipv4, ipv6, ipByVersion, mpls, ppp
        case etherType(UInt16)
    }

    /// Records an encapsulation and decodes what it carries at `offset`, unless the depth
    /// limit is reached (reported, the record stays on the packet decoded so far) or the
    /// caller asked to stop at this tunnel (`Frame.tunnelLimit`).
    ///
    /// A tunnel's inner packet replaces the outer one's network and transport fields; the
    /// link layer (MACs, VLAN tags) and the encapsulation list are kept.
    func enter(_ kind: EncapsulationKind, id: UInt32, header: Int, symmetricID: Bool = true,
               carrying inner: Inner, at offset: Int, _ f: Frame, _ p: inout DecodedPacket) {
        if kind.isTunnel && Int(p.encapsulation.tunnels) >= f.tunnelLimit { return }
        if Int(p.encapsulation.count) >= Encapsulation.maxDepth {
            p.flag(kind.layer, .tooDeep)
            return
        }
        if kind.isTunnel {
            var kept = DecodedPacket()
            kept.linkType = p.linkType
            kept.srcMAC = p.srcMAC
            kept.dstMAC = p.dstMAC
            kept.hasMAC = p.hasMAC
            kept.vlanCount = p.vlanCount
            kept.vlanIDs = p.vlanIDs
            kept.wlanFrameControl = p.wlanFrameControl
            kept.encapsulation = p.encapsulation
            kept.encapsulation.enter(kind, between: p.src, and: p.dst, id: symmetricID ? id : 0)
            p = kept
        }
        p.encapsulation.append(kind, id: id, offset: header)
        switch inner {
        case .ethernet: decodeEthernet(f, at: offset, &p)
        case .ipv4: decodeNetwork(etherType: 0x0800, f, at: offset, &p)
        case .ipv6: decodeNetwork(etherType: 0x86DD, f, at: offset, &p)
        case .ipByVersion: decodeRawIP(f, at: offset, &p)
        case .mpls: decodeMPLS(f, at: offset, &p)
        case .ppp: decodePPP(f, at: offset, &p)
        case .etherType(let type): decodeNetwork(etherType: type, f, at: offset, &p)
        }
    }

    /// IP in IP (RFC 2003, RFC 4213 6in4, RFC 2473): the IP protocol numbers 4 and 41.
    func decodeIPInIP(_ proto: UInt8, _ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        let outerIPv4 = p.network == .ipv4
        let kind: EncapsulationKind = proto == 4 ? (outerIPv4 ? .ip4in4 : .ip4in6) : (outerIPv4 ? .ip6in4 : .ip6in6)
        p.transport = .other
        setPayload(region, from: region.start, &p)
        enter(kind, id: 0, header: p.ipOffset, carrying: proto == 4 ? .ipv4 : .ipv6, at: region.start, f, &p)
    }

    /// UDP ports that carry tunnels netwatch enters: VXLAN, Geneve, GTP-U, Teredo.
    @inlinable @inline(__always)
    public static func isTunnelPort(_ port: UInt16) -> Bool { port == 4789 || port == 6081 || port == 2152 || port == 3544 }

    /// A UDP payload on a tunnel port: VXLAN (RFC 7348), Geneve (RFC 8926), GTP-U (3GPP TS 29.281)
    /// or Teredo (RFC 4380). A payload that does not look like the tunnel stays UDP payload.
    func decodeUDPTunnel(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        let port = Self.isTunnelPort(p.dstPort) ? p.dstPort : p.srcPort
        let o = p.payloadOffset
        let end = region.claimedEnd
        switch port {
        case 4789:
            if let kind = f.check(o, 8, claimedEnd: end) { return p.flag(.vxlan, kind) }
            // The I flag says the VNI is valid.
            guard f.bytes.u8(o) & 0x08 != 0 else { return p.flag(.vxlan, .invalid) }
            enter(.vxlan, id: f.bytes.u32(o + 4) >> 8, header: o, carrying: .ethernet, at: o + 8, f, &p)
        case 6081:
            if let kind = f.check(o, 8, claimedEnd: end) { return p.flag(.geneve, kind) }
            let b = f.bytes
            guard b.u8(o) >> 6 == 0 else { return p.flag(.geneve, .invalid) }
            let length = 8 + Int(b.u8(o) & 0x3F) * 4
            if let kind = f.check(o, length, claimedEnd: end) { return p.flag(.geneve, kind) }
            let type = b.u16(o + 2)
            let inner: Inner = type == 0x6558 ? .ethernet : .etherType(type)
            enter(.geneve, id: b.u32(o + 4) >> 8, header: o, carrying: inner, at: o + length, f, &p)
        case 2152:
            decodeGTPU(f, at: o, end: end, &p)
        default:
            decodeTeredo(f, at: o, end: end, &p)
        }
    }

    /// GTP-U: only G-PDUs (message 255) carry a user packet; echo and error messages stay UDP.
    private func decodeGTPU(_ f: Frame, at o: Int, end: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        if let kind = f.check(o, 8, claimedEnd: end) { return p.flag(.gtp, kind) }
        let flags = b.u8(o)
        guard flags >> 5 == 1, flags & 0x10 != 0 else { return p.flag(.gtp, .invalid) }
        guard b.u8(o + 1) == 255 else { return }
        var next = o + 8
        if flags & 0x07 != 0 {
            // Sequence number, N-PDU number and the first extension header's type.
            if let kind = f.check(next, 4, claimedEnd: end) { return p.flag(.gtp, kind) }
            var extensionType = b.u8(next + 3)
            next += 4
            // Extension headers: a length in 4-byte units, the content, the next type last.
            for _ in 0..<16 where extensionType != 0 {
                if let kind = f.check(next, 1, claimedEnd: end) { return p.flag(.gtp, kind) }
                let length = Int(b.u8(next)) * 4
                guard length > 0 else { return p.flag(.gtp, .invalid) }
                if let kind = f.check(next, length, claimedEnd: end) { return p.flag(.gtp, kind) }
                extensionType = b.u8(next + length - 1)
                next += length
            }
            guard extensionType == 0 else { return p.flag(.gtp, .invalid) }
        }
        if let kind = f.check(next, 1, claimedEnd: end) { return p.flag(.gtp, kind) }
        let version = b.u8(next) >> 4
        guard version == 4 || version == 6 else { return p.flag(.gtp, .invalid) }
        // The TEID differs by direction: it names the tunnel, but is not part of its identity.
        enter(.gtp, id: b.u32(o + 4), header: o, symmetricID: false, carrying: .ipByVersion, at: next, f, &p)
    }

    /// Teredo: IPv6 in UDP, after an optional authentication and an optional origin indication.
    /// A payload that is not IPv6 stays UDP payload (tshark's heuristic does the same).
    private func decodeTeredo(_ f: Frame, at o: Int, end: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        var next = o
        if f.check(next, 4, claimedEnd: end) == nil, b.u16(next) == 0x0001 {
            // Client identifier and authentication value lengths, then nonce and confirmation.
            let length = 4 + Int(b.u8(next + 2)) + Int(b.u8(next + 3)) + 9
            if let kind = f.check(next, length, claimedEnd: end) { return p.flag(.teredo, kind) }
            next += length
        }
        if f.check(next, 8, claimedEnd: end) == nil, b.u16(next) == 0x0000 {
            next += 8
        }
        // Cut before a whole IPv6 header: reported, as for any tunnel; a datagram too short for
        // one, or one that is not IPv6, is other traffic on the port.
        if let kind = f.check(next, 40, claimedEnd: end) {
            if kind == .truncated { p.flag(.teredo, .truncated) }
            return
        }
        guard b.u8(next) >> 4 == 6 else { return }
        enter(.teredo, id: 0, header: o, carrying: .ipv6, at: next, f, &p)
    }
}
