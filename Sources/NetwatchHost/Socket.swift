import NetwatchDecode

/// One socket of the host's table, as `ss -tunap` lists it.
public struct Socket: Sendable, Equatable {
    public enum Transport: String, Sendable { case tcp, udp }

    public var transport: Transport
    /// Read from the IPv6 table (an IPv4-mapped address is still shown as IPv4).
    public var ipv6Table: Bool
    public var localAddress: IPAddress
    public var localPort: UInt16
    public var remoteAddress: IPAddress
    public var remotePort: UInt16
    public var state: SocketState
    public var inode: UInt64
    public var uid: UInt32
    /// The process holding it; nil when no process could be read (permissions, or none holds it).
    public var owner: ProcessOwner?

    public init(transport: Transport, ipv6Table: Bool, localAddress: IPAddress, localPort: UInt16, remoteAddress: IPAddress,
                remotePort: UInt16, state: SocketState, inode: UInt64, uid: UInt32, owner: ProcessOwner? = nil) {
        self.transport = transport
        self.ipv6Table = ipv6Table
        self.localAddress = localAddress
        self.localPort = localPort
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.state = state
        self.inode = inode
        self.uid = uid
        self.owner = owner
    }

    /// Has a peer address (any TCP socket but a listener, a connected UDP socket).
    public var hasPeer: Bool { remotePort != 0 || !remoteAddress.isUnspecified }

    /// A connection: a socket with a peer that is not listening.
    public var isConnection: Bool { hasPeer && state != .listen }

    /// Transport and both endpoints, as a dictionary key.
    public struct Tuple: Hashable, Sendable {
        public var transport: Transport
        public var local: IPAddress
        public var localPort: UInt16
        public var remote: IPAddress
        public var remotePort: UInt16

        public init(transport: Transport, local: IPAddress, localPort: UInt16, remote: IPAddress, remotePort: UInt16) {
            (self.transport, self.local, self.localPort, self.remote, self.remotePort) = (transport, local, localPort, remote, remotePort)
        }
    }

    public var tuple: Tuple {
        Tuple(transport: transport, local: localAddress, localPort: localPort, remote: remoteAddress, remotePort: remotePort)
    }
}

extension IPAddress {
    /// 0.0.0.0 or ::.
    public var isUnspecified: Bool { high == 0 && low == 0 }
}
