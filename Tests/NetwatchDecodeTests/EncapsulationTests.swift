import NetwatchDecode
import XCTest

/// Every tunnel, shim and link type netwatch enters, built from the RFC layouts around the
/// same inner TCP SYN: the inner packet is found, the layers are listed, every prefix of
/// the packet is reported as cut (and never crashes), and impossible lengths are invalid.
final class EncapsulationTests: XCTestCase {
    /// The inner IPv4 / TCP SYN 192.168.1.100:54321 → 172.217.14.206:443 (no Ethernet).
    static let innerIPv4 = Array(Fixture.tcpSyn.dropFirst(14))
    /// An inner IPv6 / ICMPv6 neighbor solicitation (no Ethernet).
    static let innerIPv6 = Array(Fixture.ipv6NeighborSolicitation.dropFirst(14))

    static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func u32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func ethernet(_ type: Int, _ payload: [UInt8]) -> [UInt8] {
        Fixture.bytes(Fixture.ethernetHeader) + u16(type) + payload
    }

    static func ipv4(_ proto: UInt8, _ payload: [UInt8], src: UInt32 = 0x0A00_0001, dst: UInt32 = 0x0A00_0002) -> [UInt8] {
        [0x45, 0] + u16(20 + payload.count) + [0, 1, 0, 0, 64, proto, 0, 0] + u32(src) + u32(dst) + payload
    }

    static func udp(_ source: Int, _ destination: Int, _ payload: [UInt8]) -> [UInt8] {
        u16(source) + u16(destination) + u16(8 + payload.count) + [0, 0] + payload
    }

    struct Case {
        var name: String
        var bytes: [UInt8]
        var link: LinkType = .ethernet
        var kinds: [EncapsulationKind]
        var ipv6 = false
    }

    static var cases: [Case] {
        let innerFrame = ethernet(0x0800, innerIPv4)
        return [
            Case(name: "VXLAN", bytes: ethernet(0x0800, ipv4(17, udp(50000, 4789, [0x08, 0, 0, 0] + u32(42 << 8) + innerFrame))), kinds: [.vxlan]),
            Case(name: "Geneve with an option", bytes: ethernet(0x0800, ipv4(17, udp(50000, 6081, [0x02, 0x40] + u16(0x6558) + u32(11 << 8)
                + [0x01, 0x02, 0x80, 0x01, 0xde, 0xad, 0xbe, 0xef] + innerFrame))), kinds: [.geneve]),
            Case(name: "GRE key and sequence", bytes: ethernet(0x0800, ipv4(47, u16(0x3000) + u16(0x0800) + u32(7) + u32(1) + innerIPv4)), kinds: [.gre]),
            Case(name: "GRE checksum, Ethernet", bytes: ethernet(0x0800, ipv4(47, u16(0x8000) + u16(0x6558) + [0, 0, 0, 0] + innerFrame)), kinds: [.gre]),
            Case(name: "ERSPAN II", bytes: ethernet(0x0800, ipv4(47, u16(0x1000) + u16(0x88BE) + u32(5) + [0x10, 0x17, 0x00, 0x64, 0, 0, 0, 0] + innerFrame)),
                 kinds: [.gre, .erspan]),
            Case(name: "ERSPAN III", bytes: ethernet(0x0800, ipv4(47, u16(0x1000) + u16(0x22EB) + u32(5) + [0x20, 0x17, 0x00, 0x64] + u32(0) + [0, 0, 0, 0]
                + innerFrame)), kinds: [.gre, .erspan]),
            Case(name: "GTP-U", bytes: ethernet(0x0800, ipv4(17, udp(2152, 2152, [0x30, 0xFF] + u16(innerIPv4.count) + u32(1) + innerIPv4))), kinds: [.gtp]),
            Case(name: "GTP-U with an extension header", bytes: ethernet(0x0800, ipv4(17, udp(2152, 2152, [0x34, 0xFF] + u16(innerIPv4.count + 8) + u32(1)
                + [0, 0, 0, 0x85] + [0x01, 0x00, 0x01, 0x00] + innerIPv4))), kinds: [.gtp]),
            Case(name: "Teredo with origin indication", bytes: ethernet(0x0800, ipv4(17, udp(3544, 40000, [0, 0, 0x9c, 0x40, 1, 2, 3, 4] + innerIPv6))),
                 kinds: [.teredo], ipv6: true),
            Case(name: "4in4", bytes: ethernet(0x0800, ipv4(4, innerIPv4)), kinds: [.ip4in4]),
            Case(name: "6in4", bytes: ethernet(0x0800, ipv4(41, innerIPv6)), kinds: [.ip6in4], ipv6: true),
            Case(name: "MPLS two labels", bytes: ethernet(0x8847, u32(16 << 12 | 64) + u32(17 << 12 | 0x100 | 64) + innerIPv4), kinds: [.mpls]),
            Case(name: "MPLS Ethernet pseudowire with control word", bytes: ethernet(0x8847, u32(20 << 12 | 0x100 | 64) + [0, 0, 0, 0] + innerFrame), kinds: [.mpls]),
            Case(name: "PPPoE session", bytes: ethernet(0x8864, [0x11, 0] + u16(0x1234) + u16(innerIPv4.count + 2) + u16(0x0021) + innerIPv4), kinds: [.pppoe]),
            Case(name: "E-tag", bytes: ethernet(0x893F, [0, 0, 0x00, 0xd3, 0, 0] + u16(0x0800) + innerIPv4), kinds: [.etag]),
            Case(name: "VN-tag in a VLAN", bytes: ethernet(0x8100, [0, 250] + u16(0x8926) + [0x80, 0x05, 0, 0] + u16(0x8100) + [0, 250] + u16(0x0800) + innerIPv4),
                 kinds: [.vntag]),
            Case(name: "GRE in GRE", bytes: ethernet(0x0800, ipv4(47, u16(0) + u16(0x0800) + ipv4(47, u16(0) + u16(0x0800) + innerIPv4, src: 3, dst: 4))),
                 kinds: [.gre, .gre]),
            Case(name: "NFLOG", bytes: [2, 0, 0, 0] + [8, 0, 1, 0, 0x08, 0, 0, 0] + [UInt8(innerIPv4.count + 4), 0, 9, 0] + innerIPv4, link: .nflog, kinds: []),
            Case(name: "PPP", bytes: [0xFF, 0x03] + u16(0x0021) + innerIPv4, link: .ppp, kinds: []),
            Case(name: "PPP, protocol compressed", bytes: [0x21] + innerIPv4, link: .ppp, kinds: []),
            Case(name: "PPP with direction", bytes: [1, 0xFF, 0x03] + u16(0x0021) + innerIPv4, link: .pppWithDirection, kinds: []),
            Case(name: "Cisco HDLC", bytes: [0x0F, 0x00] + u16(0x0800) + innerIPv4, link: .ciscoHDLC, kinds: []),
            Case(name: "IP over InfiniBand", bytes: u16(0x0800) + [0, 0] + innerIPv4, link: .ipOverInfiniBand, kinds: []),
            Case(name: "802.11 data, radiotap with TSFT and flags", bytes: [0, 0, 18, 0, 0x03, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0x00, 0]
                + [0x08, 0x01, 0, 0] + [UInt8](repeating: 0x11, count: 6) + [UInt8](repeating: 0x22, count: 6) + [UInt8](repeating: 0x33, count: 6) + [0, 0]
                + [0xAA, 0xAA, 0x03, 0, 0, 0] + u16(0x0800) + innerIPv4, link: .ieee80211Radiotap, kinds: []),
            Case(name: "802.11 QoS data", bytes: [0x88, 0x02, 0, 0] + [UInt8](repeating: 0x11, count: 18) + [0, 0] + [0, 0]
                + [0xAA, 0xAA, 0x03, 0, 0, 0] + u16(0x0800) + innerIPv4, link: .ieee80211, kinds: []),
        ]
    }

    func decode(_ bytes: [UInt8], _ link: LinkType, wireLength: Int? = nil) -> DecodedPacket {
        var p = DecodedPacket()
        bytes.withUnsafeBytes { PacketDecoder().decode(PacketBytes($0), linkType: link, wireLength: wireLength ?? bytes.count, into: &p) }
        return p
    }

    func testEachFindsTheInnerPacket() {
        for c in Self.cases {
            let p = decode(c.bytes, c.link)
            XCTAssertNil(p.issue, c.name)
            XCTAssertEqual(p.encapsulation.entries.map(\.kind), c.kinds, c.name)
            if c.ipv6 {
                XCTAssertEqual(p.network, .ipv6, c.name)
                XCTAssertEqual(p.transport, .icmpv6, c.name)
                XCTAssertEqual(p.dst.description, "ff02::1:ff00:2", c.name)
            } else {
                XCTAssertEqual(p.src.description, "192.168.1.100", c.name)
                XCTAssertEqual(p.dst.description, "172.217.14.206", c.name)
                XCTAssertEqual(p.srcPort, 54321, c.name)
                XCTAssertEqual(p.dstPort, 443, c.name)
                XCTAssertEqual(p.tcp.mss, 1460, c.name)
            }
        }
        let vxlan = decode(Self.cases[0].bytes, .ethernet)
        XCTAssertEqual(vxlan.encapsulation.innermost?.id, 42)
        XCTAssertEqual(vxlan.encapsulation.tunnels, 1)
        XCTAssertNotEqual(vxlan.encapsulation.context, 0)
        let mpls = decode(Self.cases[11].bytes, .ethernet)
        XCTAssertEqual(mpls.encapsulation.innermost?.id, 16, "the top label names the stack")
        XCTAssertEqual(decode(Self.cases[15].bytes, .ethernet).vlanCount, 2, "both tags of the sandwich")
    }

    /// Cut anywhere, with the wire length saying more was sent: reported as truncated at some
    /// layer, never crashing, never passed off as whole.
    func testEveryPrefixIsTruncated() {
        for c in Self.cases {
            for n in 0..<c.bytes.count {
                let p = decode(Array(c.bytes.prefix(n)), c.link, wireLength: c.bytes.count)
                guard let issue = p.issue else {
                    XCTFail("\(c.name): \(n) of \(c.bytes.count) bytes decoded without an issue")
                    continue
                }
                XCTAssertEqual(issue.kind, .truncated, "\(c.name) cut at \(n): \(issue.layer.name)")
            }
        }
    }

    /// The outer packet of each tunnel, decoded as far as the tunnel: the tunnel's own flow.
    func testOuterLevels() {
        var p = DecodedPacket()
        let nested = Self.cases[16].bytes
        nested.withUnsafeBytes { PacketDecoder().decode(PacketBytes($0), linkType: .ethernet, wireLength: nested.count, outerLevel: 0, into: &p) }
        XCTAssertEqual(p.src.description, "10.0.0.1")
        XCTAssertEqual(p.ipProtocol, 47)
        XCTAssertTrue(p.encapsulation.isEmpty)
        nested.withUnsafeBytes { PacketDecoder().decode(PacketBytes($0), linkType: .ethernet, wireLength: nested.count, outerLevel: 1, into: &p) }
        XCTAssertEqual(p.src.description, "0.0.0.3")
        XCTAssertEqual(p.encapsulation.entries.map(\.kind), [.gre])
        let inner = decode(nested, .ethernet)
        XCTAssertNotEqual(inner.encapsulation.context, p.encapsulation.context, "each tunnel level is its own context")
    }

    func testImpossibleHeadersAreInvalid() {
        let invalid: [(String, [UInt8], LinkType, Layer)] = [
            ("GRE routing", Self.ethernet(0x0800, Self.ipv4(47, Self.u16(0x4000) + Self.u16(0x0800) + Self.innerIPv4)), .ethernet, .gre),
            ("GRE version 2", Self.ethernet(0x0800, Self.ipv4(47, Self.u16(0x0002) + Self.u16(0x0800) + Self.innerIPv4)), .ethernet, .gre),
            ("VXLAN without the I flag", Self.ethernet(0x0800, Self.ipv4(17, Self.udp(1, 4789, [0, 0, 0, 0, 0, 0, 0, 0] + Self.innerIPv4))), .ethernet, .vxlan),
            ("Geneve options past the datagram", Self.ethernet(0x0800, Self.ipv4(17, Self.udp(1, 6081, [0x3F, 0] + Self.u16(0x6558) + [0, 0, 0, 0]))), .ethernet, .geneve),
            ("GTP-U extension of length 0", Self.ethernet(0x0800, Self.ipv4(17, Self.udp(2152, 2152, [0x34, 0xFF, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0]))),
             .ethernet, .gtp),
            ("MPLS with no bottom of stack", Self.ethernet(0x8847, [UInt8](repeating: 0, count: 80)), .ethernet, .mpls),
            ("PPPoE version 2", Self.ethernet(0x8864, [0x21, 0, 0, 1, 0, 2, 0, 0x21] + Self.innerIPv4), .ethernet, .pppoe),
            ("ERSPAN II with version 2", Self.ethernet(0x0800, Self.ipv4(47, Self.u16(0x1000) + Self.u16(0x88BE) + Self.u32(5) + [0x20, 0, 0, 0, 0, 0, 0, 0]
                + Self.innerIPv4)), .ethernet, .erspan),
            ("NFLOG TLV shorter than its header", [2, 0, 0, 0, 2, 0, 9, 0] + Self.innerIPv4, .nflog, .nflog),
            ("radiotap shorter than its header", [0, 0, 4, 0, 0, 0, 0, 0] + Self.innerIPv4, .ieee80211Radiotap, .radiotap),
        ]
        for (name, bytes, link, layer) in invalid {
            XCTAssertEqual(decode(bytes, link).issue, DecodeIssue(layer, .invalid), name)
        }
    }

    /// Nine IP-in-IP layers: decoded to the eighth and reported.
    func testNestingTooDeepIsReported() {
        var packet = Self.innerIPv4
        for i in 0..<9 { packet = Self.ipv4(4, packet, src: UInt32(100 + i), dst: 200) }
        let p = decode(Self.ethernet(0x0800, packet), .ethernet)
        XCTAssertEqual(p.issue, DecodeIssue(.ipv4, .tooDeep))
        XCTAssertEqual(Int(p.encapsulation.count), Encapsulation.maxDepth)
        XCTAssertEqual(p.ipProtocol, 4, "the record stays on the deepest packet decoded")
    }

    /// Random bytes behind every new header and link type: the decoder always returns.
    func testRandomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let c = Self.cases.randomElement(using: &generator)!
            var packet = c.bytes
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                packet[Int.random(in: 0..<packet.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = decode(packet, c.link)
        }
    }
}
