/// What one second of traffic held: the road sends one per second that saw packets (packet
/// time reading a file, so a file gives the same series at any speed).
public struct TrafficTick: Sendable, Equatable {
    /// The second, since the epoch.
    public var second: Int64
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    /// Packets by transport: TCP, UDP, ICMP (v4 and v6), everything else.
    public var tcp: UInt64 = 0
    public var udp: UInt64 = 0
    public var icmp: UInt64 = 0
    public var other: UInt64 { packets &- tcp &- udp &- icmp }
    /// Bytes (on the wire) by transport, the same way.
    public var tcpBytes: UInt64 = 0
    public var udpBytes: UInt64 = 0
    public var icmpBytes: UInt64 = 0
    public var otherBytes: UInt64 { bytes &- tcpBytes &- udpBytes &- icmpBytes }
    /// Packets the kernel or interface dropped in this second (live only).
    public var dropped: UInt64 = 0
    /// Per interface (the first 64 of the run).
    public var interfaces: [InterfaceTraffic] = []

    public init(second: Int64) { self.second = second }
}
