/// Zeek's `conn_state` summary of a connection (base/protocols/conn/main.zeek).
public enum ConnectionState: String, Sendable, CaseIterable {
    /// Attempt seen, no reply.
    case s0 = "S0"
    /// Established, not terminated.
    case s1 = "S1"
    /// Established and terminated normally.
    case sf = "SF"
    /// Attempt rejected.
    case rej = "REJ"
    /// Established, originator closed, no reply from the responder.
    case s2 = "S2"
    /// Established, responder closed, no reply from the originator.
    case s3 = "S3"
    /// Established, originator aborted (RST).
    case rsto = "RSTO"
    /// Responder aborted (RST).
    case rstr = "RSTR"
    /// Originator sent SYN then RST, no SYN-ACK.
    case rstos0 = "RSTOS0"
    /// Responder sent SYN-ACK then RST; no SYN from the originator seen.
    case rstrh = "RSTRH"
    /// Originator sent SYN then FIN, no SYN-ACK ("half-open").
    case sh = "SH"
    /// Responder sent SYN-ACK then FIN, no SYN from the originator seen.
    case shr = "SHR"
    /// No SYN seen: midstream traffic.
    case oth = "OTH"

    /// The case's place in `allCases`: a one-byte key for tables that sum by state (the
    /// raw value is a string, which hashes through SipHash).
    @inlinable @inline(__always)
    public var ordinal: UInt8 { unsafeBitCast(self, to: UInt8.self) }

    /// What Zeek's `conn_state` function returns for these endpoint states.
    public static func tcp(originator os: TCPEndpointState, responder rs: TCPEndpointState, history: ConnectionHistory, bytes: UInt64) -> ConnectionState {
        let originatorInactive = os == .inactive || os == .partial
        let responderInactive = rs == .inactive || rs == .partial
        if rs == .reset {
            if os == .synSent || os == .synAckSent || (os == .reset && bytes == 0) { return .rej }
            return originatorInactive ? .rstrh : .rstr
        }
        if os == .reset {
            if responderInactive {
                return history.isSYNThenReset ? .rstos0 : .oth
            }
            return .rsto
        }
        if rs == .closed && os == .closed { return .sf }
        if os == .closed { return responderInactive ? .sh : .s2 }
        if rs == .closed { return originatorInactive ? .shr : .s3 }
        if os == .synSent && rs == .inactive { return .s0 }
        if os == .established && rs == .established { return .s1 }
        return .oth
    }

    /// Zeek's UDP (and ICMP) rule: did each side send anything.
    public static func datagram(originatorActive: Bool, responderActive: Bool) -> ConnectionState {
        if originatorActive { return responderActive ? .sf : .s0 }
        return responderActive ? .shr : .oth
    }
}
