import NetwatchCapture
import NetwatchDecode
import NetwatchFlow
import NetwatchView
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer calls in one thread, so the shared views are safe without locks.
/// One fuzz input is tried two ways: as one packet (the first byte picks the link type) through
/// the decoder, the flow look-ahead and every view, and as a whole capture file through the
/// pcap/pcapng readers.
enum FuzzTarget {
    static let links: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .ipv4, .ipv6, .ppp, .pppHDLC, .ciscoHDLC,
                                    .ieee80211, .ieee80211Radiotap, .pppWithDirection, .nflog, .ipOverInfiniBand]
    static let devNull = open("/dev/null", O_WRONLY)
    nonisolated(unsafe) static let output = OutputBuffer(fd: devNull, capacity: 1 << 16)
    static let services = ServiceTable()
    nonisolated(unsafe) static let compact = PacketFormatter(mode: .detailed, palette: Palette(enabled: true), services: services, output: output)
    nonisolated(unsafe) static let json = JSONPacketWriter(output: output, services: services)
    /// DNS over TCP framing keeps state across packets, so one input's segments meet the
    /// streams earlier inputs left (bounded, as in a run).
    nonisolated(unsafe) static let dnsStreams = DNSOverTCP(maxStreams: 64)

    static func run(_ input: UnsafeRawBufferPointer) {
        guard !input.isEmpty else { return }
        let link = links[Int(input[0]) % links.count]
        let packet = UnsafeRawBufferPointer(rebasing: input[1...])
        show(packet, link: link, wire: packet.count + Int(input[0] >> 5))

        guard let source = try? Savefile.open(bytes: input, name: "fuzz input") else { return }
        _ = try? source.run({ raw in
            show(raw.bytes, link: raw.linkType, wire: raw.wireLength)
            // The look-ahead reads the packet after this one, as the pipeline does.
            _ = FlowKey.peek(PacketBytes(raw.next), linkType: raw.linkType)
            return true
        }, tick: {})
    }

    static func show(_ bytes: UnsafeRawBufferPointer, link: LinkType, wire: Int) {
        var p = DecodedPacket()
        let b = PacketBytes(bytes)
        PacketDecoder().decode(b, linkType: link, wireLength: wire, into: &p)
        if DNSOverTCP.wants(&p) { dnsStreams.frame(b, &p) }
        // Each tunnel's outer packet, as the flow table decodes it for the tunnel's flow.
        var outer = DecodedPacket()
        for level in 0..<Int(p.encapsulation.tunnels) {
            PacketDecoder().decode(b, linkType: link, wireLength: wire, outerLevel: level, into: &outer)
        }
        _ = FlowKey.peek(b, linkType: link)
        var context = PacketContext(number: 1, seconds: 0, nanoseconds: 0, bytes: b, wireLength: wire)
        if p.dns.reassembled { context.dnsMessage = dnsStreams.message }
        compact.write(p, context)
        json.write(p, context)
        output.discard(output.count)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
