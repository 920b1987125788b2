/// Decodes captured bytes into a `DecodedPacket`, layer by layer, without copying or allocating.
///
/// Each layer validates its header length once and then reads fields unchecked. Decoding never
/// traps on input: a short or broken layer sets `issue` and leaves the layers before it intact
/// (etherparse's "lax" parse, tcpdump's truncated/invalid split).
public struct PacketDecoder: Sendable {
    public init() {}

    /// - Parameters:
    ///   - bytes: the captured bytes (`caplen` of them).
    ///   - wireLength: the packet's length on the wire, so a snap-length cut is told apart from a
    ///     packet that is shorter than its own headers claim.
    public func decode(_ bytes: PacketBytes, linkType: LinkType, wireLength: Int, into p: inout DecodedPacket) {
        let frame = Frame(bytes: bytes, wireLength: max(wireLength, bytes.count))
        if linkType == .ethernet && decodeCommon(frame, &p) { return }
        decodeByLayer(frame, linkType: linkType, &p)
    }

    /// Decodes a tunnelled packet only as far as its `level`-th tunnel (0: the outermost),
    /// leaving the record on that tunnel's outer packet: the outer flow's packet.
    public func decode(_ bytes: PacketBytes, linkType: LinkType, wireLength: Int, outerLevel level: Int, into p: inout DecodedPacket) {
        var frame = Frame(bytes: bytes, wireLength: max(wireLength, bytes.count))
        frame.tunnelLimit = level
        decodeByLayer(frame, linkType: linkType, &p)
    }

    /// The decode every packet can take, one layer after another, into a fresh record.
    func decodeByLayer(_ frame: Frame, linkType: LinkType, _ p: inout DecodedPacket) {
        p = DecodedPacket()
        p.linkType = linkType
        switch linkType {
        case .ethernet: decodeEthernet(frame, &p)
        case .linuxSLL: decodeLinuxSLL(frame, &p)
        case .linuxSLL2: decodeLinuxSLL2(frame, &p)
        case .null, .loop: decodeLoopback(frame, &p)
        case .raw: decodeRawIP(frame, at: 0, &p)
        case .ipv4: decodeNetwork(etherType: 0x0800, frame, at: 0, &p)
        case .ipv6: decodeNetwork(etherType: 0x86DD, frame, at: 0, &p)
        case .ieee80211: decodeIEEE80211(frame, at: 0, &p)
        case .ieee80211Radiotap: decodeRadiotap(frame, &p)
        case .nflog: decodeNFLOG(frame, &p)
        case .ppp, .pppHDLC: decodePPPLink(frame, at: 0, &p)
        case .pppWithDirection: decodePPPLink(frame, at: 1, &p)
        case .ciscoHDLC: decodeCiscoHDLC(frame, &p)
        case .ipOverInfiniBand: decodeIPoIB(frame, &p)
        default: p.flag(.link, .unsupported)
        }
    }

    /// Dispatches on an EtherType once the link header is done.
    func decodeNetwork(etherType: UInt16, _ f: Frame, at offset: Int, _ p: inout DecodedPacket) {
        p.etherType = etherType
        switch etherType {
        case 0x0800: decodeIPv4(f, at: offset, &p)
        case 0x86DD: decodeIPv6(f, at: offset, &p)
        case 0x0806, 0x8035: decodeARP(f, at: offset, &p)  // RARP (RFC 903) has ARP's layout
        case 0x8100, 0x88A8, 0x9100: decodeVLANTags(f, at: offset, &p)
        case 0x8847, 0x8848: decodeMPLS(f, at: offset, &p)
        case 0x8863, 0x8864: decodePPPoE(f, at: offset, discovery: etherType == 0x8863, &p)
        case 0x893F: decodeETag(f, at: offset, &p)
        case 0x8926: decodeVNTag(f, at: offset, &p)
        case 0x88BE, 0x22EB: decodeERSPAN(f, at: offset, typeIII: etherType == 0x22EB, &p)
        case 0x880B: decodePPP(f, at: offset, &p)
        default: p.network = .other
        }
    }

    func decodeRawIP(_ f: Frame, at offset: Int, _ p: inout DecodedPacket) {
        guard f.bytes.contains(offset, 1) else {
            p.flag(.link, .truncated)
            return
        }
        switch f.bytes.u8(offset) >> 4 {
        case 4: decodeNetwork(etherType: 0x0800, f, at: offset, &p)
        case 6: decodeNetwork(etherType: 0x86DD, f, at: offset, &p)
        default: p.flag(.link, .invalid)
        }
    }
}

/// The captured bytes together with the on-wire length.
struct Frame {
    let bytes: PacketBytes
    let wireLength: Int
    /// Tunnels to enter before stopping on an outer packet (`decode(_:linkType:wireLength:outerLevel:into:)`).
    var tunnelLimit = Int.max

    init(bytes: PacketBytes, wireLength: Int) {
        self.bytes = bytes
        self.wireLength = wireLength
    }

    /// Whether a header of `length` bytes at `offset`, inside a region the enclosing layer says
    /// ends at `claimedEnd`, can be read; otherwise why not.
    @inline(__always)
    func check(_ offset: Int, _ length: Int, claimedEnd: Int) -> DecodeIssue.Kind? {
        if offset + length > claimedEnd { return .invalid }
        if bytes.contains(offset, length) { return nil }
        // Cut by the snap length, or the packet itself is shorter than its headers say.
        return .truncated
    }
}
