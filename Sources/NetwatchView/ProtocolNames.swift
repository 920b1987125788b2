/// Names of numbers in the words analysts read in tcpdump, Wireshark and the RFCs.
public enum ProtocolNames {
    /// IANA protocol keywords for the IP protocols seen most.
    public static func ipProtocol(_ n: UInt8) -> StaticString? {
        switch n {
        case 1: return "ICMP"
        case 2: return "IGMP"
        case 4: return "IPIP"
        case 6: return "TCP"
        case 17: return "UDP"
        case 41: return "IPv6"
        case 47: return "GRE"
        case 50: return "ESP"
        case 51: return "AH"
        case 58: return "IPv6-ICMP"
        case 89: return "OSPF"
        case 103: return "PIM"
        case 112: return "VRRP"
        case 132: return "SCTP"
        case 135: return "MOBILITY"
        default: return nil
        }
    }

    public static func etherType(_ t: UInt16) -> StaticString? {
        switch t {
        case 0x0800: return "IPv4"
        case 0x0806: return "ARP"
        case 0x86DD: return "IPv6"
        case 0x8035: return "RARP"
        case 0x8847, 0x8848: return "MPLS"
        case 0x8863, 0x8864: return "PPPoE"
        case 0x888E: return "EAPOL"
        case 0x88CC: return "LLDP"
        case 0x88F7: return "PTP"
        case 0x8809: return "LACP"
        case 0x9000: return "LOOP"
        default: return nil
        }
    }

    public static func icmp(type: UInt8, code: UInt8) -> StaticString? {
        switch (type, code) {
        case (0, _): return "echo reply"
        case (3, 0): return "net unreachable"
        case (3, 1): return "host unreachable"
        case (3, 2): return "protocol unreachable"
        case (3, 3): return "port unreachable"
        case (3, 4): return "fragmentation needed"
        case (3, 9), (3, 10), (3, 13): return "unreachable (administratively prohibited)"
        case (3, _): return "destination unreachable"
        case (4, _): return "source quench"
        case (5, _): return "redirect"
        case (8, _): return "echo request"
        case (9, _): return "router advertisement"
        case (10, _): return "router solicitation"
        case (11, 0): return "time exceeded in transit"
        case (11, _): return "fragment reassembly time exceeded"
        case (12, _): return "parameter problem"
        case (13, _): return "timestamp request"
        case (14, _): return "timestamp reply"
        case (17, _): return "address mask request"
        case (18, _): return "address mask reply"
        default: return nil
        }
    }

    public static func icmpv6(type: UInt8, code: UInt8) -> StaticString? {
        switch (type, code) {
        case (1, 0): return "no route to destination"
        case (1, 1): return "unreachable (administratively prohibited)"
        case (1, 3): return "address unreachable"
        case (1, 4): return "port unreachable"
        case (1, _): return "destination unreachable"
        case (2, _): return "packet too big"
        case (3, 0): return "hop limit exceeded"
        case (3, _): return "fragment reassembly time exceeded"
        case (4, _): return "parameter problem"
        case (128, _): return "echo request"
        case (129, _): return "echo reply"
        case (130, _): return "multicast listener query"
        case (131, _): return "multicast listener report"
        case (132, _): return "multicast listener done"
        case (133, _): return "router solicitation"
        case (134, _): return "router advertisement"
        case (135, _): return "neighbor solicitation"
        case (136, _): return "neighbor advertisement"
        case (137, _): return "redirect"
        case (143, _): return "multicast listener report v2"
        default: return nil
        }
    }

    public static func dnsType(_ t: UInt16) -> StaticString? {
        switch t {
        case 1: return "A"
        case 2: return "NS"
        case 5: return "CNAME"
        case 6: return "SOA"
        case 12: return "PTR"
        case 13: return "HINFO"
        case 15: return "MX"
        case 16: return "TXT"
        case 28: return "AAAA"
        case 33: return "SRV"
        case 35: return "NAPTR"
        case 39: return "DNAME"
        case 41: return "OPT"
        case 43: return "DS"
        case 46: return "RRSIG"
        case 47: return "NSEC"
        case 48: return "DNSKEY"
        case 50: return "NSEC3"
        case 64: return "SVCB"
        case 65: return "HTTPS"
        case 99: return "SPF"
        case 252: return "AXFR"
        case 255: return "ANY"
        case 257: return "CAA"
        default: return nil
        }
    }

    public static func dnsResponseCode(_ c: UInt8) -> StaticString {
        switch c {
        case 0: return "NOERROR"
        case 1: return "FORMERR"
        case 2: return "SERVFAIL"
        case 3: return "NXDOMAIN"
        case 4: return "NOTIMP"
        case 5: return "REFUSED"
        case 6: return "YXDOMAIN"
        case 7: return "YXRRSET"
        case 8: return "NXRRSET"
        case 9: return "NOTAUTH"
        case 10: return "NOTZONE"
        default: return "RCODE?"
        }
    }
}
