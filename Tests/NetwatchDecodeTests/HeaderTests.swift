import NetwatchDecode
import XCTest

final class HeaderTests: XCTestCase {
    func testTCPSynWithOptions() {
        let p = Fixture.decode(Fixture.tcpSyn)
        XCTAssertNil(p.issue)
        XCTAssertEqual(p.network, .ipv4)
        XCTAssertEqual(p.src.description, "192.168.1.100")
        XCTAssertEqual(p.dst.description, "172.217.14.206")
        XCTAssertEqual(p.ipID, 0x1C46)
        XCTAssertTrue(p.ipv4DontFragment)
        XCTAssertEqual(p.ttl, 64)
        XCTAssertEqual(p.transport, .tcp)
        XCTAssertEqual(p.srcPort, 54321)
        XCTAssertEqual(p.dstPort, 443)
        XCTAssertEqual(p.tcp.seq, 100)
        XCTAssertEqual(p.tcp.flags, .syn)
        XCTAssertEqual(p.tcp.window, 64240)
        XCTAssertEqual(p.tcp.mss, 1460)
        XCTAssertTrue(p.tcp.sackPermitted)
        XCTAssertTrue(p.tcp.hasTimestamp)
        XCTAssertEqual(p.tcp.tsval, 1)
        XCTAssertEqual(p.tcp.windowScale, 7)
        XCTAssertEqual(p.payloadLength, 0)
        XCTAssertEqual(p.tcp.flags.tcpdumpLetters, "S")
    }

    func testVLANStackAndDNSQuery() {
        let p = Fixture.decode(Fixture.vlanDNSQuery)
        XCTAssertNil(p.issue)
        XCTAssertEqual(p.vlanCount, 2)
        XCTAssertEqual(p.vlanIDs.0, 10)
        XCTAssertEqual(p.vlanIDs.1, 20)
        XCTAssertEqual(p.transport, .udp)
        XCTAssertEqual(p.application, .dns)
        XCTAssertEqual(p.dns.id, 0x1234)
        XCTAssertEqual(p.dns.questionCount, 1)
        XCTAssertFalse(p.dns.isResponse)
        let names = Fixture.vlanDNSQuery.withUnsafeBytes { raw -> [String] in
            let m = DNSMessage(packet: PacketBytes(raw), info: p.dns)
            var names: [String] = []
            m.forEachRecord { r in
                var labels: [String] = []
                XCTAssertTrue(m.readName(at: r.nameOffset) { labels.append(String(decoding: $0, as: UTF8.self)) })
                names.append(labels.joined(separator: ".") + "/\(r.type)")
                return true
            }
            return names
        }
        XCTAssertEqual(names, ["example.com/1"])
    }

    func testICMPEcho() {
        let p = Fixture.decode(Fixture.icmpEcho)
        XCTAssertNil(p.issue)
        XCTAssertEqual(p.transport, .icmp)
        XCTAssertEqual(p.icmp.type, 8)
        XCTAssertTrue(p.icmp.hasEcho)
        XCTAssertEqual(p.icmp.identifier, 7)
        XCTAssertEqual(p.icmp.sequence, 1)
    }

    func testARPRequest() {
        let p = Fixture.decode(Fixture.arpRequest)
        XCTAssertNil(p.issue)
        XCTAssertEqual(p.network, .arp)
        XCTAssertEqual(p.arp.operation, 1)
        XCTAssertEqual(p.arp.senderIP.description, "10.0.0.1")
        XCTAssertEqual(p.arp.targetIP.description, "10.0.0.2")
        XCTAssertEqual(p.arp.senderMAC.description, "66:77:88:99:aa:bb")
    }

    func testIPv6ExtensionHeadersAndNeighborSolicitation() {
        let p = Fixture.decode(Fixture.ipv6NeighborSolicitation)
        XCTAssertNil(p.issue)
        XCTAssertEqual(p.network, .ipv6)
        XCTAssertEqual(p.src.description, "fe80::1")
        XCTAssertEqual(p.dst.description, "ff02::1:ff00:2")
        XCTAssertEqual(p.ipExtensions, IPExtension.hopByHop.rawValue | IPExtension.destinationOptions.rawValue)
        XCTAssertEqual(p.transport, .icmpv6)
        XCTAssertEqual(p.icmp.type, 135)
        XCTAssertEqual(p.icmp.target?.description, "fe80::2")
    }

    func testCookedAndLoopbackLinks() {
        let sll = Fixture.decode(Fixture.sllUDP, .linuxSLL)
        XCTAssertNil(sll.issue)
        XCTAssertEqual(sll.transport, .udp)
        XCTAssertEqual(sll.srcPort, 1000)
        XCTAssertEqual(sll.payloadLength, 4)
        let sll2 = Fixture.decode(Fixture.sll2TCP, .linuxSLL2)
        XCTAssertNil(sll2.issue)
        XCTAssertEqual(sll2.src.description, "2001:db8::1")
        XCTAssertEqual(sll2.tcp.flags, .rst)
        let null = Fixture.decode(Fixture.nullICMP, .null)
        XCTAssertNil(null.issue)
        XCTAssertEqual(null.icmp.type, 0)
        XCTAssertEqual(null.icmp.sequence, 2)
        let raw = Fixture.decode(Array(Fixture.nullICMP.dropFirst(4)), .raw)
        XCTAssertEqual(raw.icmp.identifier, 9)
    }

    func testLaterFragmentHasNoTransportHeader() {
        let p = Fixture.decode(Fixture.fragmentLater)
        XCTAssertNil(p.issue)
        XCTAssertTrue(p.fragment.isFragment)
        XCTAssertEqual(p.fragment.offset, 1480)
        XCTAssertEqual(p.transport, .other)
        XCTAssertEqual(p.srcPort, 0)
    }

    /// Every prefix of a packet made only of headers is a snap-length cut: "truncated", never a crash.
    func testEveryPrefixIsTruncated() {
        let cases: [(String, [UInt8], LinkType)] = [
            ("tcp", Fixture.tcpSyn, .ethernet), ("vlan+dns", Fixture.vlanDNSQuery, .ethernet),
            ("icmp", Fixture.icmpEcho, .ethernet), ("arp", Fixture.arpRequest, .ethernet),
            ("ipv6+nd", Fixture.ipv6NeighborSolicitation, .ethernet), ("sll2", Fixture.sll2TCP, .linuxSLL2),
            ("null", Fixture.nullICMP, .null),
        ]
        for (name, packet, link) in cases {
            for length in 0..<packet.count {
                let p = Fixture.decode(Array(packet.prefix(length)), link, wire: packet.count)
                XCTAssertEqual(p.issue?.kind, .truncated, "\(name) cut to \(length) of \(packet.count) bytes")
            }
        }
    }

    /// A header whose own length fields contradict each other is "invalid".
    func testInvalidHeaders() {
        var badIHL = Fixture.tcpSyn
        badIHL[14] = 0x44  // IHL 4 words < 20 bytes
        XCTAssertEqual(Fixture.decode(badIHL).issue, DecodeIssue(.ipv4, .invalid))
        var badOffset = Fixture.tcpSyn
        badOffset[14 + 20 + 12] = 0x40  // TCP data offset 16 bytes
        XCTAssertEqual(Fixture.decode(badOffset).issue, DecodeIssue(.tcp, .invalid))
        var badOption = Fixture.tcpSyn
        badOption[14 + 20 + 21] = 40  // MSS option length runs past the header
        let p = Fixture.decode(badOption)
        XCTAssertEqual(p.issue, DecodeIssue(.tcp, .invalid))
        XCTAssertEqual(p.dstPort, 443, "the fields before the broken option are kept")
        var badUDP = Fixture.vlanDNSQuery
        badUDP[22 + 20 + 4] = 0; badUDP[22 + 20 + 5] = 4  // UDP length 4 < 8
        XCTAssertEqual(Fixture.decode(badUDP).issue, DecodeIssue(.udp, .invalid))
    }

    /// A compression pointer that points at itself must end, not loop.
    func testDNSCompressionLoopIsInvalid() {
        var packet = Fixture.vlanDNSQuery
        let nameStart = 22 + 20 + 8 + 12
        packet[nameStart] = 0xC0
        packet[nameStart + 1] = 12
        let p = Fixture.decode(packet)
        packet.withUnsafeBytes { raw in
            let m = DNSMessage(packet: PacketBytes(raw), info: p.dns)
            XCTAssertFalse(m.readName(at: 12) { _ in })
        }
    }

    func testUnsupportedLinkType() {
        let p = Fixture.decode(Fixture.tcpSyn, LinkType(rawValue: 189))
        XCTAssertEqual(p.issue, DecodeIssue(.link, .unsupported))
    }

    /// Random bytes on every link type: the decoder must return, whatever they hold.
    func testRandomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let links: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .ipv4, .ipv6]
        var seeds = [Fixture.tcpSyn, Fixture.vlanDNSQuery, Fixture.ipv6NeighborSolicitation, Fixture.arpRequest]
        for _ in 0..<50_000 {
            var packet = seeds.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                packet[Int.random(in: 0..<packet.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            packet = Array(packet.prefix(Int.random(in: 0...packet.count, using: &generator)))
            _ = Fixture.decode(packet, links.randomElement(using: &generator)!)
            if seeds.count < 64 { seeds.append(packet + [0, 0, 0, 0]) }
        }
    }

    func testAddressText() {
        XCTAssertEqual(IPAddress("2001:db8:0:0:1:0:0:1")?.description, "2001:db8::1:0:0:1")
        XCTAssertEqual(IPAddress("::")?.description, "::")
        XCTAssertEqual(IPAddress("::ffff:10.1.2.3")?.description, "::ffff:10.1.2.3")
        XCTAssertEqual(IPAddress("fe80::1:2")?.description, "fe80::1:2")
        XCTAssertEqual(IPAddress("255.255.255.255")?.description, "255.255.255.255")
        XCTAssertNil(IPAddress("256.1.1.1"))
        XCTAssertNil(IPAddress("1::2::3"))
    }

    func testServiceTable() {
        let table = ServiceTable()
        XCTAssertEqual(table.name(port: 443, tcp: true), "HTTPS")
        XCTAssertEqual(table.name(port: 27017, tcp: true), "MongoDB")
        XCTAssertNil(table.name(port: 7, tcp: true))
        table.merge(servicesFile: Array("echo 7/tcp\nbogus line\nhttps 443/tcp # already named\n".utf8))
        XCTAssertEqual(table.name(port: 7, tcp: true), "ECHO")
        XCTAssertEqual(table.name(port: 443, tcp: true), "HTTPS")
        XCTAssertNil(table.name(port: 7, tcp: false))
    }
}
