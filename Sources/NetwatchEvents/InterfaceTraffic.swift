/// One capture interface's share of a second (`TrafficTick.interfaces`): `interface` is the
/// run's interface index (in the order of -i, or a pcapng file's interface blocks).
public struct InterfaceTraffic: Sendable, Equatable {
    public var interface: Int
    public var packets: UInt64
    public var bytes: UInt64

    public init(interface: Int, packets: UInt64, bytes: UInt64) {
        self.interface = interface
        self.packets = packets
        self.bytes = bytes
    }
}
