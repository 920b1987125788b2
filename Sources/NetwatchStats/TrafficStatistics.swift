import NetwatchDecode
import NetwatchFlow
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
    public struct HostPair: CompactKey {
        public var a: IPAddress
        public var b: IPAddress

        @inlinable public init(a: IPAddress, b: IPAddress) {
            self.a = a
            self.b = b
        }

        @inlinable @inline(always)
        public func hash(into h: inout SeededHash) {
            IPAddress.hash(a, b, into: &h)
        }

        public static func < (l: HostPair, r: HostPair) -> Bool { (l.a, l.b) < (r.a, r.b) }

        /// Two IPv4 hosts in one word, `a` in the high half: ordered as the pair is.
        @inlinable public var compact: UInt64? { a.isIPv6 || b.isIPv6 ? nil : HostPair.compact(a.ipv4, b.ipv4) }

        /// `compact` from the two IPv4 hosts, the lower first.
        @inlinable static func compact(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

        @inlinable public init(compact: UInt64) {
            self.init(a: IPAddress(ipv4: UInt32(truncatingIfNeeded: compact >> 32)), b: IPAddress(ipv4: UInt32(truncatingIfNeeded: compact)))
        }
    }

    @usableFromInline struct Totals {
        @usableFromInline var packets: UInt64 = 0
        @usableFromInline var bytes: UInt64 = 0
        @usableFromInline var dnsPackets: UInt64 = 0
        @usableFromInline var malformed: UInt64 = 0
        @usableFromInline var first: Int64 = 0
        @usableFromInline var last: Int64 = 0
        /// Whether a packet with a time has been counted (`first` holds its time).
        @usableFromInline var timed = false
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
    public let addresses: SplitCounter<IPAddress>
    public let conversations: SplitCounter<HostPair>

    public var packets: UInt64 { totals.pointee.packets }
    public var bytes: UInt64 { totals.pointee.bytes }
    public var dnsPackets: UInt64 { totals.pointee.dnsPackets }
    public var malformed: UInt64 { totals.pointee.malformed }
    public var first: Int64 { totals.pointee.first }
    public var last: Int64 { totals.pointee.last }

    /// `tracked`: distinct addresses and conversations counted exactly before the bound applies.
    public init(tracked: Int = 1 << 13) {
        addresses = SplitCounter(capacity: tracked)
        conversations = SplitCounter(capacity: tracked)
        totals = .allocate(capacity: 1)
        totals.initialize(to: Totals())
        byProtocol = .allocate(capacity: ProtocolClass.allCases.count)
        byProtocol.initialize(repeating: 0, count: ProtocolClass.allCases.count)
        portPackets = LargeAllocation.allocate(UInt32.self, count: 2 * 65536)
        portWraps = LargeAllocation.allocate(UInt32.self, count: 2 * 65536)
    }

    /// An independent copy of `other`'s counts.
    public init(copying other: TrafficStatistics) {
        addresses = SplitCounter(copying: other.addresses)
        conversations = SplitCounter(copying: other.conversations)
        totals = .allocate(capacity: 1)
        totals.initialize(to: other.totals.pointee)
        byProtocol = .allocate(capacity: ProtocolClass.allCases.count)
        byProtocol.initialize(from: other.byProtocol, count: ProtocolClass.allCases.count)
        portPackets = LargeAllocation.allocate(UInt32.self, count: 2 * 65536)
        portPackets.update(from: other.portPackets, count: 2 * 65536)
        portWraps = LargeAllocation.allocate(UInt32.self, count: 2 * 65536)
        portWraps.update(from: other.portWraps, count: 2 * 65536)
    }

    deinit {
        totals.deallocate()
        byProtocol.deallocate()
        LargeAllocation.deallocate(portPackets, count: 2 * 65536)
        LargeAllocation.deallocate(portWraps, count: 2 * 65536)
    }

    /// Counts one packet. With `hostsByFlow` its hosts, conversation and ports are left to
    /// its flow, counted all at once when the flow ends (`recordFlow`): once per flow costs
    /// less than once per packet, and a flood's packets, each a flow, are counted from the
    /// table's record as it is evicted, with nothing to look up twice. Inlined, the caller's
    /// packet is read in place (`inout` only so that it is passed by reference, not copied: it
    /// is not changed).
    @inlinable @inline(always)
    public func record(_ p: inout DecodedPacket, time: Int64, wireLength: Int, hostsByFlow: Bool = false, timed: Bool = true) {
        // A packet without a time (pcapng Simple Packet Block) is left out of the duration.
        if timed {
            if !totals.pointee.timed {
                totals.pointee.first = time
                totals.pointee.timed = true
            }
            totals.pointee.last = time
        }
        totals.pointee.packets &+= 1
        totals.pointee.bytes &+= UInt64(wireLength)
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
        if !hostsByFlow { recordHosts(&p, wireLength: wireLength) }
    }

    /// Counts one IP packet toward its source and destination, their conversation and (TCP,
    /// UDP) its two ports. (`inout` as in `record`: not changed.) Not inlined: packets of no
    /// flow are few, and the counters' code inlined into the packet loop cost every packet
    /// registers and spills (about 5 instructions a packet on mixed traffic).
    @inline(never)
    public func recordHosts(_ p: inout DecodedPacket, wireLength: Int) {
        guard (p.network == .ipv4 || p.network == .ipv6) && p.ipHeaderLength > 0 else { return }
        let pair = p.src < p.dst ? HostPair(a: p.src, b: p.dst) : HostPair(a: p.dst, b: p.src)
        countHosts(p.src, p.dst, pair, packets: 1, bytes: UInt64(wireLength))
        guard p.hasPorts && p.payloadOffset > 0 else { return }
        countPorts(p.srcPort, p.dstPort, tcp: p.transport == .tcp, packets: 1)
    }

    /// Counts a flow's packets, when it ends, toward its two hosts, their conversation and
    /// (TCP, UDP) its two ports. Reads the table's record in place.
    @inlinable
    public func recordFlow(_ f: UnsafePointer<Flow>) {
        let packets = f.pointee.originatorPackets &+ f.pointee.responderPackets
        guard packets > 0, !f.pointee.isTunnel else { return }
        let bytes = f.pointee.originatorWireBytes &+ f.pointee.responderWireBytes
        // The key's low address is the lower one, as `HostPair` orders them. Read in place:
        // IPv4 takes 4 bytes of each address, and only IPv6 copies them whole.
        if !f.pointee.key.lowAddress.isIPv6 && !f.pointee.key.highAddress.isIPv6 {
            let x = f.pointee.key.lowAddress.ipv4
            let y = f.pointee.key.highAddress.ipv4
            TrafficStatistics.countHosts(addresses.compact, conversations.compact, x, y, HostPair.compact(x, y), packets: packets, bytes: bytes)
        } else {
            countFlowHostsApart(f, packets: packets, bytes: bytes)
        }
        let transport = f.pointee.transport
        guard transport == .tcp || transport == .udp else { return }
        countPorts(f.pointee.key.lowPort, f.pointee.key.highPort, tcp: transport == .tcp, packets: packets)
    }

    /// Counts `packets` packets between `a` and `b` toward both hosts (sent plus received, as
    /// Wireshark's endpoint table counts, but a packet to itself once) and their `pair`:
    /// IPv4 in the counters' compact sides, inlined; anything else apart.
    @inlinable @inline(always)
    func countHosts(_ a: IPAddress, _ b: IPAddress, _ pair: HostPair, packets: UInt64, bytes: UInt64) {
        if !a.isIPv6 && !b.isIPv6 {
            TrafficStatistics.countHosts(addresses.compact, conversations.compact, a.ipv4, b.ipv4, HostPair.compact(pair.a.ipv4, pair.b.ipv4),
                                         packets: packets, bytes: bytes)
        } else {
            countHostsApart(a, b, pair, packets: packets, bytes: bytes)
        }
    }

    /// `recordFlow`'s hosts when they are not both IPv4.
    @usableFromInline @inline(never)
    func countFlowHostsApart(_ f: UnsafePointer<Flow>, packets: UInt64, bytes: UInt64) {
        let low = f.pointee.key.lowAddress
        let high = f.pointee.key.highAddress
        countHostsApart(low, high, HostPair(a: low, b: high), packets: packets, bytes: bytes)
    }

    /// `countHosts` for IPv6 hosts (or, were there such a packet, one of each family).
    @usableFromInline @inline(never)
    func countHostsApart(_ a: IPAddress, _ b: IPAddress, _ pair: HostPair, packets: UInt64, bytes: UInt64) {
        guard a.isIPv6 && b.isIPv6 else {
            addresses.add(a, packets: packets, bytes: bytes)
            if a != b { addresses.add(b, packets: packets, bytes: bytes) }
            conversations.add(pair, packets: packets, bytes: bytes)
            return
        }
        TrafficStatistics.countHosts(addresses.full, conversations.full, a, b, pair, packets: packets, bytes: bytes)
    }

    /// Counts into one side of each counter. A host in many flows in a row (the monitored
    /// host, a flood's victim) is counted straight into its slot (`addRepeated`). Every other
    /// counter line is requested first and used last, the conversation's first: the misses
    /// (random addresses under a flood) overlap the work rather than stall it. (`add` into one
    /// counter follows `addRepeated` as it did when counted in the order given; `take` drops
    /// the repeated slot it reuses.)
    @inlinable @inline(always)
    static func countHosts<Host, Pair>(_ addresses: BoundedCounter<Host>, _ conversations: BoundedCounter<Pair>, _ a: Host, _ b: Host, _ pair: Pair,
                                       packets: UInt64, bytes: UInt64) {
        let conversation = conversations.locate(pair)
        conversations.prefetch(conversation)
        // A host talking to itself (127.0.0.1 to 127.0.0.1) is one host: its packets count once.
        let bCounts = a != b
        let aRepeats = addresses.isRepeated(a)
        let bRepeats = bCounts && addresses.isRepeated(b)
        var first = BoundedCounter<Host>.Location(bucket: 0, tag: 0)
        var second = first
        if !aRepeats {
            first = addresses.locate(a)
            addresses.prefetch(first)
        }
        if bCounts && !bRepeats {
            second = addresses.locate(b)
            addresses.prefetch(second)
        }
        if aRepeats { addresses.addRepeated(packets: packets, bytes: bytes) }
        if bRepeats { addresses.addRepeated(packets: packets, bytes: bytes) }
        conversations.add(pair, at: conversation, packets: packets, bytes: bytes)
        if !aRepeats { addresses.add(a, at: first, packets: packets, bytes: bytes) }
        if bCounts && !bRepeats { addresses.add(b, at: second, packets: packets, bytes: bytes) }
    }

    /// Counts `packets` packets on both ports of a TCP or UDP exchange (a port to itself once).
    @inlinable @inline(always)
    func countPorts(_ x: UInt16, _ y: UInt16, tcp: Bool, packets: UInt64) {
        let column = tcp ? 0 : 65536
        countPort(column + Int(x), packets)
        if y != x { countPort(column + Int(y), packets) }
    }

    /// `recordFlow` of a flow handed over by value (expired, or ended at shutdown).
    public func recordFlow(_ flow: Flow) {
        withUnsafePointer(to: flow) { recordFlow($0) }
    }

    /// These counts with every flow still open in `flows` added: what a report made before the
    /// end of the run shows when packets are counted `hostsByFlow`. A copy, so nothing is
    /// counted twice when those flows end.
    public func including(_ flows: FlowTable) -> TrafficStatistics {
        let copy = TrafficStatistics(copying: self)
        flows.forEachOpen { copy.recordFlow($0) }
        return copy
    }

    @inlinable @inline(always)
    func countPort(_ index: Int, _ packets: UInt64) {
        let (count, wrapped) = portPackets[index].addingReportingOverflow(UInt32(truncatingIfNeeded: packets))
        portPackets[index] = count
        let carry = UInt32(truncatingIfNeeded: packets >> 32) &+ (wrapped ? 1 : 0)
        if carry != 0 { portWraps[index] &+= carry }
    }

    private func portCount(_ index: Int) -> UInt64 { UInt64(portWraps[index]) << 32 | UInt64(portPackets[index]) }

    public func count(_ cls: ProtocolClass) -> UInt64 { byProtocol[cls.rawValue] }

    /// The busiest ports: (port, is TCP, packets), most first.
    public func topPorts(_ n: Int) -> [(port: UInt16, tcp: Bool, packets: UInt64)] {
        // Equal counts keep port order, TCP first.
        var list = TopList<(port: UInt16, tcp: Bool, packets: UInt64)>(n) { $0.packets > $1.packets }
        for i in 0..<(2 * 65536) {
            let packets = portCount(i)
            if packets > 0 { list.offer((UInt16(i % 65536), i < 65536, packets)) }
        }
        return list.elements
    }

    /// Seconds of packet time covered.
    public var duration: Double { Double(last - first) / 1e9 }
}
