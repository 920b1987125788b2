import CPcap
import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An interface libpcap can capture on, as `netwatch -D` lists it.
public struct NetworkInterface: Sendable {
    public var name: String
    public var description: String?
    public var addresses: [String]
    public var isUp: Bool
    public var isRunning: Bool
    public var isLoopback: Bool

    /// All capture interfaces, in libpcap's order (best candidates first).
    public static func all() throws(CaptureError) -> [NetworkInterface] {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        var list: UnsafeMutablePointer<pcap_if_t>? = nil
        guard pcap_findalldevs(&list, &errbuf) == 0 else {
            throw CaptureError(.other, "cannot list interfaces: \(cString(errbuf))")
        }
        defer { pcap_freealldevs(list) }
        var result: [NetworkInterface] = []
        var node = list
        while let current = node {
            let entry = current.pointee
            var addresses: [String] = []
            var address = entry.addresses
            while let a = address {
                if let sa = a.pointee.addr, let text = Self.format(sa) { addresses.append(text) }
                address = a.pointee.next
            }
            result.append(
                NetworkInterface(
                    name: String(cString: entry.name),
                    description: entry.description.map { String(cString: $0) },
                    addresses: addresses,
                    isUp: entry.flags & UInt32(PCAP_IF_UP) != 0,
                    isRunning: entry.flags & UInt32(PCAP_IF_RUNNING) != 0,
                    isLoopback: entry.flags & UInt32(PCAP_IF_LOOPBACK) != 0))
            node = entry.next
        }
        return result
    }

    /// The interface live monitoring uses when none is named: the first that is up, running
    /// and not loopback (tcpdump's choice), else the first listed.
    public static func defaultName() throws(CaptureError) -> String {
        let all = try all()
        if let best = all.first(where: { $0.isUp && $0.isRunning && !$0.isLoopback && $0.name != "any" && !$0.name.hasPrefix("nf") && !$0.name.hasPrefix("bluetooth") && !$0.name.hasPrefix("dbus") }) {
            return best.name
        }
        guard let first = all.first else { throw CaptureError(.noSuchInterface, "no interface to capture on was found") }
        return first.name
    }

    private static func format(_ sa: UnsafeMutablePointer<sockaddr>) -> String? {
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                IPAddress(ipv4: UInt32(bigEndian: $0.pointee.sin_addr.s_addr)).description
            }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                withUnsafeBytes(of: p.pointee.sin6_addr) { raw in
                    let b = PacketBytes(raw)
                    return IPAddress(ipv6High: b.u64(0), low: b.u64(8)).description
                }
            }
        default:
            return nil
        }
    }
}
