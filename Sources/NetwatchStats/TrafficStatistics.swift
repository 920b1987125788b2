import CPrefetch
import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything counted about the traffic of one run, in bounded memory.
public final class TrafficStatistics {
    /// Protocol classes for the distribution, in report order.
    public enum ProtocolClass: Int, CaseIterable, Sendable {
        case tcp, udp, icmp, icmpv6, arp, otherIP, nonIP
        public var name: String {
            switch self {
            case .tcp: return "TCP"
            case .udp: return "UDP"
            case .icmp: return "ICMP"
            case .icmpv6: return "ICMPv6"
            case .arp: return "ARP"
            case .otherIP: return "Other IP"
            case .nonIP: return "Non-IP"
            }
        }
    }

    /// An unordered pair of hosts, lower address first.
    public struct HostPair: SeededHashable, BitwiseCopyable {
        public var a: IPAddress
        public var b: IPAddress

        @inlinable public init(a: IPAddress, b: IPAddress) {
            self.a = a
            self.b = b
        }

        @inlinable @inline(always)
        public func hash(into h: inout SeededHash) {
            a.hash(into: &h)
            b.hash(into: &h)
        }
    }

    @usableFromInline struct Totals {
        @usableFromInline var packets: UInt64 = 0
        @usableFromInline var bytes: UInt64 = 0
        @usableFromInline var dnsPackets: UInt64 = 0
        @usableFromInline var malformed: UInt64 = 0
        @usableFromInline var first: Int64 = 0
        @usableFromInline var last: Int64 = 0
        init() {}
    }

    // Counters sit behind pointers: the per-packet path pays no exclusivity checks and no
    // copy-on-write uniqueness tests.
    @usableFromInline let totals: UnsafeMutablePointer<Totals>
    @usableFromInline let byProtocol: UnsafeMutablePointer<UInt64>
    /// Packets per TCP and UDP port (both ends counted), exact: 32-bit counts (512 KB, so
    /// more of it stays in cache) and, apart, how often each wrapped (touched only then).
    @usableFromInline let portPackets: UnsafeMutablePointer<UInt32>
    @usableFromInline let portWraps: UnsafeMutablePointer<UInt32>
    public let addresses: BoundedCounter<IPAddress>
    public let conversations: BoundedCounter<HostPair>

    public var packets: UInt64 { totals.pointee.packets }
    public var bytes: UInt64 { totals.pointee.bytes }
    public var dnsPackets: UInt64 { totals.pointee.dnsPackets }
    public var malformed: UInt64 { totals.pointee.malformed }
    public var first: Int64 { totals.pointee.first }
    public var last: Int64 { totals.pointee.last }

    /// `tracked`: distinct addresses and conversations counted exactly before the bound applies.
    public init(tracked: Int = 1 << 13) {
        addresses = BoundedCounter(capacity: tracked)
        conversations = BoundedCounter(capacity: tracked)
        totals = .allocate(capacity: 1)
        totals.initialize(to: Totals())
        byProtocol = .allocate(capacity: ProtocolClass.allCases.count)
        byProtocol.initialize(repeating: 0, count: ProtocolClass.allCases.count)
        portPackets = LargeAllocation.allocate(UInt32.self, count: 2 * 65536)
        portWraps = LargeAllocation.allocate(UInt32.self, count: 2 * 65536)
    }

    deinit {
        totals.deallocate()
        byProtocol.deallocate()
        LargeAllocation.deallocate(portPackets, count: 2 * 65536)
        LargeAllocation.deallocate(portWraps, count: 2 * 65536)
    }

    /// Inlinable: the caller's packet is read in place rather than copied for the call.
    @inlinable @inline(always)
    public func record(_ p: DecodedPacket, time: Int64, wireLength: Int) {
        if totals.pointee.packets == 0 { totals.pointee.first = time }
        totals.pointee.last = time
        totals.pointee.packets &+= 1
        let size = UInt64(wireLength)
        totals.pointee.bytes &+= size
        if let issue = p.issue, issue.kind != .unsupported { totals.pointee.malformed &+= 1 }
        if p.application == .dns { totals.pointee.dnsPackets &+= 1 }
        let cls: ProtocolClass
        switch p.transport {
        case .tcp: cls = .tcp
        case .udp: cls = .udp
        case .icmp: cls = .icmp
        case .icmpv6: cls = .icmpv6
        case .other: cls = .otherIP
        case .none:
            switch p.network {
            case .arp: cls = .arp
            case .ipv4, .ipv6: cls = .otherIP
            default: cls = .nonIP
            }
        }
        byProtocol[cls.rawValue] &+= 1
        guard (p.network == .ipv4 || p.network == .ipv6) && p.ipHeaderLength > 0 else { return }
        // Every table line this packet touches is requested first, then updated: the misses
        // (random addresses and ports under a flood) overlap rather than queue.
        let source = addresses.locate(p.src)
        let destination = addresses.locate(p.dst)
        let pair = p.src < p.dst ? HostPair(a: p.src, b: p.dst) : HostPair(a: p.dst, b: p.src)
        let conversation = conversations.locate(pair)
        let ports = p.hasPorts && p.payloadOffset > 0
        let column = p.transport == .tcp ? 0 : 65536
        addresses.prefetch(source)
        addresses.prefetch(destination)
        conversations.prefetch(conversation)
        if ports {
            netwatch_prefetch(portPackets + column + Int(p.srcPort))
            netwatch_prefetch(portPackets + column + Int(p.dstPort))
        }
        // Sent plus received, as Wireshark's endpoint table counts (a packet to itself counts twice).
        addresses.add(p.src, at: source, bytes: size)
        addresses.add(p.dst, at: destination, bytes: size)
        conversations.add(pair, at: conversation, bytes: size)
        if ports {
            countPort(column + Int(p.srcPort))
            if p.dstPort != p.srcPort { countPort(column + Int(p.dstPort)) }
        }
    }

    @inlinable @inline(always)
    func countPort(_ index: Int) {
        let (count, wrapped) = portPackets[index].addingReportingOverflow(1)
        portPackets[index] = count
        if wrapped { portWraps[index] &+= 1 }
    }

    private func portCount(_ index: Int) -> UInt64 { UInt64(portWraps[index]) << 32 | UInt64(portPackets[index]) }

    public func count(_ cls: ProtocolClass) -> UInt64 { byProtocol[cls.rawValue] }

    /// The busiest ports: (port, is TCP, packets), most first.
    public func topPorts(_ n: Int) -> [(port: UInt16, tcp: Bool, packets: UInt64)] {
        var result: [(UInt16, Bool, UInt64)] = []
        for i in 0..<(2 * 65536) where portCount(i) > 0 {
            result.append((UInt16(i % 65536), i < 65536, portCount(i)))
        }
        return Array(result.sorted { $0.2 > $1.2 }.prefix(n))
    }

    /// Seconds of packet time covered.
    public var duration: Double { Double(last - first) / 1e9 }
}
