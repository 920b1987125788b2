/// What a connection attempt's first packet says about the tool that sent it, as nmap's scan
/// types are told apart on the wire.
public enum ProbeKind: Int, Sendable, CaseIterable {
    /// SYN with at most an MSS option: a raw packet (nmap -sS, masscan); kernels send more options.
    case syn
    /// SYN with a kernel's full option set: connect() (nmap -sT).
    case connect
    /// FIN alone (-sF).
    case fin
    /// FIN, PSH and URG (-sX).
    case xmas
    /// No flags at all (-sN).
    case null
    /// ACK alone, starting a flow (-sA).
    case ack
    /// Another TCP flag mix opening a flow.
    case otherTCP
    /// A UDP datagram opening a flow (-sU).
    case udp

    public var scanName: String {
        switch self {
        case .syn: "TCP SYN"
        case .connect: "TCP connect"
        case .fin: "TCP FIN"
        case .xmas: "TCP Xmas"
        case .null: "TCP NULL"
        case .ack: "TCP ACK"
        case .otherTCP: "TCP"
        case .udp: "UDP"
        }
    }
}
