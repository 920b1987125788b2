/// One side of a TCP connection as Zeek's TCP analyzer tracks it; `ConnectionState` is
/// derived from the pair.
public enum TCPEndpointState: UInt8, Sendable {
    case inactive, synSent, synAckSent, partial, established, closed, reset
}
