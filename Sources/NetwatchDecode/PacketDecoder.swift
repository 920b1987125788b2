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
