import NetwatchDecode

/// Ports a first packet is likely to come *from* when it is a server's reply: Zeek's
/// `likely_server_ports` as its default scripts fill it (each protocol analyzer adds its
/// well-known ports). A flow whose first packet comes from one, to a port that is not one,
/// is turned round: the sender is the responder, and the history starts with ^.
public enum LikelyServerPorts {
    public static func contains(_ port: UInt16, tcp: Bool) -> Bool {
        if tcp {
            switch port {
            case 21, 22, 25, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502, 563, 585, 587, 614, 631, 636, 750, 989, 990, 992, 993, 995,
                 1080, 1433, 1434, 1883, 2811, 3128, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000:
                return true
            default: return false
            }
        }
        switch port {
        case 53, 67, 69, 88, 123, 137, 161, 162, 443, 514, 750, 1812, 2123, 2152, 3544, 4789, 5060, 5072, 5353, 5355, 6081, 20000:
            return true
        default: return false
        }
    }

    /// Whether a new flow's first packet, a UDP datagram or a TCP segment other than a SYN,
    /// comes from the server (Zeek's `WantConnection`): from a likely server port to one that
    /// is not; for TCP, when both are, from the lower port. Never to the broadcast address: a
    /// DHCP server's broadcast is the start of its own exchange.
    @inline(never) @usableFromInline
    static func flips(_ p: inout DecodedPacket) -> Bool {
        if !p.dst.isIPv6 && p.dst.ipv4 == 0xFFFF_FFFF { return false }
        switch p.transport {
        case .udp:
            return contains(p.srcPort, tcp: false) && !contains(p.dstPort, tcp: false)
        case .tcp:
            guard contains(p.srcPort, tcp: true) else { return false }
            return !contains(p.dstPort, tcp: true) || p.srcPort < p.dstPort
        default:
            return false
        }
    }
}
