import NetwatchDecode

/// Everything a view needs about one packet besides its decoded fields.
public struct PacketContext {
    public var number: UInt64
    public var seconds: Int64
    public var nanoseconds: UInt32
    public var bytes: PacketBytes
    public var wireLength: Int
    public var interface: String?
    /// A DNS message put together from several TCP segments (`DNSInfo.reassembled`).
    public var dnsMessage: PacketBytes?
    /// `nanoseconds` of a packet that carries no time (`RawPacket.untimed`).
    public static let untimed: UInt32 = .max

    /// Where the DNS message's offsets point: the reassembled message, or the packet.
    public var dnsBytes: PacketBytes { dnsMessage ?? bytes }

    public init(number: UInt64, seconds: Int64, nanoseconds: UInt32, bytes: PacketBytes, wireLength: Int, interface: String? = nil) {
        self.number = number
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.bytes = bytes
        self.wireLength = wireLength
        self.interface = interface
    }
}

/// Writes the terminal views (compact, detailed, minimal) of decoded packets, straight
/// into an output buffer: no String is built per packet.
public final class PacketFormatter {
    public let mode: DisplayMode
    public let palette: Palette
    /// Service names by port; nil when name lookups are off (`-n`).
    public let services: ServiceTable?
    let out: OutputBuffer
    let stamp = LocalTimestamp()

    public init(mode: DisplayMode, palette: Palette, services: ServiceTable?, output: OutputBuffer) {
        self.mode = mode
        self.palette = palette
        self.services = services
        out = output
    }

    public func write(_ p: DecodedPacket, _ c: PacketContext) {
        out.reserve(512)
        switch mode {
        case .minimal:
            writeTimestamp(c)
            out.byte(0x20)
            writeProtocol(p)
            out.byte(0x20)
            writeEndpoints(p, padded: false)
            writeIssue(p)
            out.byte(0x0A)
        case .compact, .json:
            writeCompact(p, c)
        case .detailed:
            writeCompact(p, c)
            writeDetails(p, c)
        }
    }

    // MARK: The compact line

    func writeCompact(_ p: DecodedPacket, _ c: PacketContext) {
        writeTimestamp(c)
        out.byte(0x20)
        if p.isUndecodedLink {
            // Nothing past the link layer was read: say which link type, not empty fields.
            writeProtocol(p)
            out.byte(0x20)
            writeUndecodedLink(p)
            out.text(" | ")
            out.decimal(c.wireLength)
            out.text(" bytes\n")
            return
        }
        writeProtocol(p)
        out.byte(0x20)
        writeEndpoints(p, padded: true)
        out.text(" | ")
        switch p.transport {
        case .tcp, .udp:
            writePorts(p)
            if p.transport == .tcp && p.tcp.headerLength > 0 {
                out.text(" [")
                out.text(palette.flags)
                writeFlags(p.tcp.flags)
                out.text(palette.reset)
                out.byte(UInt8(ascii: "]"))
            }
            if p.application == .dns {
                out.text(" | ")
                if p.dns.continuation {
                    out.text(palette.dns)
                    out.text("[DNS continuation]")
                    out.text(palette.reset)
                } else {
                    writeDNSSummary(p, c)
                }
            }
        case .icmp, .icmpv6:
            writeICMP(p)
        case .other:
            if let name = ProtocolNames.ipProtocol(p.ipProtocol) {
                out.text(name)
            } else {
                out.text("proto ")
                out.decimal(Int(p.ipProtocol))
            }
        case .none:
            if p.network == .arp {
                writeARP(p)
            } else if p.network == .other && writeNonIPFrame(p, c) {
                // named by the link or the shim
            } else if p.network == .other && p.etherType == 0 {
                out.text("802.3 LLC")
            } else if p.network == .other {
                out.text("ethertype 0x")
                out.hex(UInt64(p.etherType), digits: 4)
            }
        }
        if p.fragment.isFragment {
            out.text(" frag off ")
            out.decimal(p.fragment.offset)
            if p.fragment.moreFragments { out.byte(UInt8(ascii: "+")) }
        }
        out.text(" | ")
        out.decimal(c.wireLength)
        out.text(" bytes")
        if _slowPath(!p.encapsulation.isEmpty) { writeEncapsulationTags(p) }
        writeIssue(p)
        out.byte(0x0A)
    }

    func writeTimestamp(_ c: PacketContext) {
        guard c.nanoseconds != PacketContext.untimed else {
            out.text("[            ]")  // no time in the file: as wide as one, blank
            return
        }
        stamp.write(seconds: c.seconds, nanoseconds: c.nanoseconds, palette: palette, to: out)
    }

    /// The protocol column: the highest layer decoded, coloured, padded to 8.
    func writeProtocol(_ p: DecodedPacket) {
        let (label, colour): (StaticString, StaticString)
        if p.application == .dns {
            (label, colour) = ("DNS", palette.dns)
        } else {
            switch p.transport {
            case .tcp: (label, colour) = ("TCP", palette.tcp)
            case .udp: (label, colour) = ("UDP", palette.udp)
            case .icmp: (label, colour) = ("ICMP", palette.icmp)
            case .icmpv6: (label, colour) = ("ICMPv6", palette.icmp)
            case .other:
                (label, colour) = (ProtocolNames.ipProtocol(p.ipProtocol) ?? (p.network == .ipv6 ? "IPv6" : "IPv4"), "")
            case .none:
                switch p.network {
                case .arp: (label, colour) = (p.etherType == 0x8035 ? "RARP" : "ARP", palette.arp)
                case .ipv4: (label, colour) = ("IPv4", "")
                case .ipv6: (label, colour) = ("IPv6", "")
                case .other where p.pppProtocol != 0: (label, colour) = ("PPP", "")
                case .other where p.etherType == 0 && p.wlanFrameControl != 0: (label, colour) = ("802.11", "")
                case .other: (label, colour) = (p.etherType == 0 ? "LLC" : ProtocolNames.etherType(p.etherType) ?? "ETHER", "")
                case .none: (label, colour) = (p.issue?.kind == .unsupported ? "LINK" : "?", "")
                }
            }
        }
        out.text(colour)
        out.text(label)
        out.text(colour.utf8CodeUnitCount > 0 ? palette.reset : "")
        out.spaces(8 - label.utf8CodeUnitCount)
    }

    /// Source → destination: IP addresses, or MAC addresses for frames without IP.
    func writeEndpoints(_ p: DecodedPacket, padded: Bool) {
        switch p.network {
        case .ipv4 where p.ipHeaderLength > 0, .ipv6 where p.ipHeaderLength > 0, .arp where p.arp.hasIPv4:
            out.address(p.src, width: padded ? 15 : 0)
            out.text(" → ")
            out.address(p.dst, width: padded ? 15 : 0)
        default:
            if p.hasMAC {
                out.mac(p.srcMAC)
                out.text(" → ")
                out.mac(p.dstMAC)
            } else {
                out.text("-")
                out.spaces(padded ? 14 : 0)
                out.text(" → ")
                out.text("-")
                out.spaces(padded ? 14 : 0)
            }
        }
    }

    func writePorts(_ p: DecodedPacket) {
        // Name the service on the server side only: the lower of the two ports when both have names.
        let srcName = serviceName(p.srcPort, tcp: p.transport == .tcp)
        let dstName = serviceName(p.dstPort, tcp: p.transport == .tcp)
        let nameSource = srcName != nil && (dstName == nil || p.srcPort < p.dstPort)
        out.decimal(Int(p.srcPort), width: 5)
        if nameSource, let name = srcName { writeServiceName(name) }
        out.text(" → ")
        out.decimal(Int(p.dstPort))
        if !nameSource, let name = dstName { writeServiceName(name) }
    }

    @inline(__always) func serviceName(_ port: UInt16, tcp: Bool) -> UnsafeRawBufferPointer? {
        services?.nameBytes(port: port, tcp: tcp)
    }

    private func writeServiceName(_ name: UnsafeRawBufferPointer) {
        out.byte(UInt8(ascii: "("))
        out.bytes(name)
        out.byte(UInt8(ascii: ")"))
    }

    /// Flags as letters in header order: `S`, `SA`, `PA`, `FA`, `R`.
    func writeFlags(_ f: TCPFlags) {
        if f.isEmpty {
            out.text("none")
            return
        }
        if f.contains(.cwr) { out.byte(UInt8(ascii: "C")) }
        if f.contains(.ece) { out.byte(UInt8(ascii: "E")) }
        if f.contains(.urg) { out.byte(UInt8(ascii: "U")) }
        if f.contains(.syn) { out.byte(UInt8(ascii: "S")) }
        if f.contains(.fin) { out.byte(UInt8(ascii: "F")) }
        if f.contains(.rst) { out.byte(UInt8(ascii: "R")) }
        if f.contains(.psh) { out.byte(UInt8(ascii: "P")) }
        if f.contains(.ack) { out.byte(UInt8(ascii: "A")) }
    }

    func writeICMP(_ p: DecodedPacket) {
        let name = p.transport == .icmp
            ? ProtocolNames.icmp(type: p.icmp.type, code: p.icmp.code)
            : ProtocolNames.icmpv6(type: p.icmp.type, code: p.icmp.code)
        if let name {
            out.text(name)
        } else {
            out.text("type ")
            out.decimal(Int(p.icmp.type))
            out.text(" code ")
            out.decimal(Int(p.icmp.code))
        }
        if p.icmp.hasEcho {
            out.text(" id ")
            out.decimal(Int(p.icmp.identifier))
            out.text(" seq ")
            out.decimal(Int(p.icmp.sequence))
        }
        if let target = p.icmp.target {
            out.text(" target ")
            out.address(target)
        }
    }

    func writeARP(_ p: DecodedPacket) {
        let a = p.arp
        // RARP names hardware addresses: only Ethernet's are read.
        guard a.hasIPv4, a.isEthernetIPv4 || a.operation <= 2 else {
            out.text("operation ")
            out.decimal(Int(a.operation))
            return
        }
        switch a.operation {
        case 1:
            if a.senderIP == a.targetIP {
                out.text("announcement ")
                out.address(a.senderIP)
            } else {
                out.text("who-has ")
                out.address(a.targetIP)
                out.text(" tell ")
                out.address(a.senderIP)
            }
        case 2:
            out.text("reply ")
            out.address(a.senderIP)
            if a.isEthernetIPv4 {
                out.text(" is-at ")
                out.mac(a.senderMAC)
            }
        case 3:  // RARP (RFC 903), as tcpdump words it
            out.text("who-is ")
            out.mac(a.targetMAC)
            out.text(" tell ")
            out.mac(a.senderMAC)
        case 4:
            out.text("reply ")
            out.mac(a.targetMAC)
            out.text(" at ")
            out.address(a.targetIP)
        default:
            out.text("operation ")
            out.decimal(Int(a.operation))
        }
    }

    /// `[link type NFLOG (239) not decoded]`
    func writeUndecodedLink(_ p: DecodedPacket) {
        out.text(palette.warning)
        out.text("[link type ")
        out.string(p.linkType.description)
        out.text(" not decoded]")
        out.text(palette.reset)
    }

    func writeIssue(_ p: DecodedPacket) {
        if p.isUndecodedLink {
            out.byte(0x20)
            writeUndecodedLink(p)
            return
        }
        guard let issue = p.issue else { return }
        out.text(" ")
        out.text(palette.warning)
        out.byte(UInt8(ascii: "["))
        out.string(issue.kind.name)
        out.byte(0x20)
        out.string(issue.layer.name)
        out.byte(UInt8(ascii: "]"))
        out.text(palette.reset)
    }
}
