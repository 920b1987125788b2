/// A socket's state, by the kernel's numbers (include/net/tcp_states.h), which /proc/net/tcp
/// prints in hex. UDP uses ESTABLISHED for a connected socket and CLOSE for an unconnected one.
public enum SocketState: UInt8, Sendable, CaseIterable {
    case established = 1, synSent, synReceived, finWait1, finWait2, timeWait, close, closeWait, lastAck, listen, closing, newSynReceived

    /// The name psutil and netstat use (ESTABLISHED, LISTEN, TIME_WAIT, ...).
    public var name: String {
        switch self {
        case .established: return "ESTABLISHED"
        case .synSent: return "SYN_SENT"
        case .synReceived: return "SYN_RECV"
        case .finWait1: return "FIN_WAIT1"
        case .finWait2: return "FIN_WAIT2"
        case .timeWait: return "TIME_WAIT"
        case .close: return "CLOSE"
        case .closeWait: return "CLOSE_WAIT"
        case .lastAck: return "LAST_ACK"
        case .listen: return "LISTEN"
        case .closing: return "CLOSING"
        case .newSynReceived: return "NEW_SYN_RECV"
        }
    }

    /// The name for a socket of `transport`: an unconnected UDP socket is "UNCONN", as in ss.
    public func name(for transport: Socket.Transport) -> String {
        transport == .udp && self == .close ? "UNCONN" : name
    }
}
