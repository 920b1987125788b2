import NetwatchDecode

/// Hand-built packets from the RFC layouts, as hex, so each test says exactly which bytes it feeds.
enum Fixture {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = hex.unicodeScalars.filter { $0.properties.isASCIIHexDigit }.map { UInt8(String($0), radix: 16)! }
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    static let ethernetHeader = "00 11 22 33 44 55  66 77 88 99 aa bb"

    /// Ethernet / IPv4 (id 0x1c46, DF, ttl 64) / TCP SYN 54321 → 443 with MSS, SACK-permitted, TS, NOP, WS.
    static let tcpSyn = bytes(ethernetHeader + " 08 00" + """
        45 00 00 3c 1c 46 40 00 40 06 00 00 c0 a8 01 64 ac d9 0e ce
        d4 31 01 bb 00 00 00 64 00 00 00 00 a0 02 fa f0 00 00 00 00
        02 04 05 b4 04 02 08 0a 00 00 00 01 00 00 00 00 01 03 03 07
        """)

    /// Ethernet / 802.1Q vlan 10 / 802.1Q vlan 20 / IPv4 / UDP 5353 → 53 / DNS query A example.com.
    static let vlanDNSQuery = bytes(ethernetHeader + " 81 00 00 0a 81 00 00 14 08 00" + """
        45 00 00 39 00 01 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02
        14 e9 00 35 00 25 00 00
        12 34 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01
        """)

    /// Ethernet / IPv4 / ICMP echo request id 7 seq 1, no data.
    static let icmpEcho = bytes(ethernetHeader + " 08 00" + """
        45 00 00 1c 00 02 00 00 40 01 00 00 0a 00 00 01 0a 00 00 02
        08 00 00 00 00 07 00 01
        """)

    /// Ethernet / ARP request: who-has 10.0.0.2 tell 10.0.0.1.
    static let arpRequest = bytes("ff ff ff ff ff ff 66 77 88 99 aa bb 08 06" + """
        00 01 08 00 06 04 00 01 66 77 88 99 aa bb 0a 00 00 01 00 00 00 00 00 00 0a 00 00 02
        """)

    /// Ethernet / IPv6 / hop-by-hop / destination options / ICMPv6 neighbor solicitation for fe80::2.
    static let ipv6NeighborSolicitation = bytes(ethernetHeader + " 86 dd" + """
        60 00 00 00 00 28 00 ff fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01
        ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 02
        3c 00 01 04 00 00 00 00
        3a 00 01 04 00 00 00 00
        87 00 00 00 00 00 00 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02
        """)

    /// Linux cooked v1 / IPv4 / UDP 1000 → 2000, 4 bytes of data.
    static let sllUDP = bytes("00 00 00 01 00 06 66 77 88 99 aa bb 00 00 08 00" + """
        45 00 00 20 00 03 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02 03 e8 07 d0 00 0c 00 00 de ad be ef
        """)

    /// Linux cooked v2 / IPv6 / TCP RST 80 → 40000.
    static let sll2TCP = bytes("86 dd 00 00 00 00 00 02 00 01 00 06 66 77 88 99 aa bb 00 00" + """
        60 00 00 00 00 14 06 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
        00 50 9c 40 00 00 00 01 00 00 00 00 50 04 00 00 00 00 00 00
        """)

    /// BSD loopback (family 2, little-endian) / IPv4 / ICMP echo reply.
    static let nullICMP = bytes("02 00 00 00" + """
        45 00 00 1c 00 04 00 00 40 01 00 00 7f 00 00 01 7f 00 00 01 00 00 00 00 00 09 00 02
        """)

    /// IPv4 first fragment (MF) and a later fragment (offset 1480) of the same datagram.
    static let fragmentLater = bytes(ethernetHeader + " 08 00" + """
        45 00 00 1c 00 05 00 b9 40 11 00 00 0a 00 00 01 0a 00 00 02 de ad be ef de ad be ef
        """)

    static func decode(_ bytes: [UInt8], _ link: LinkType = .ethernet, wire: Int? = nil) -> DecodedPacket {
        var p = DecodedPacket()
        bytes.withUnsafeBytes { raw in
            PacketDecoder().decode(PacketBytes(raw), linkType: link, wireLength: wire ?? bytes.count, into: &p)
        }
        return p
    }
}
