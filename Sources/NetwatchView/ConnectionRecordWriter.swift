import NetwatchDecode
import NetwatchFlow
import NetwatchHost

/// JSON lines for connections: a `new` record when a connection appears and a `conn` record
/// when it ends, with Zeek conn.log field names (ts, uid, id.orig_h, ..., conn_state, history)
/// and the Community ID, so they join with Zeek and Suricata output.
public final class ConnectionRecordWriter {
    let out: OutputBuffer
    let services: ServiceTable?
    /// Mixed into uids so two runs do not hand out the same ones.
    let salt: UInt64

    /// When set (capturing on this host), records carry `pid` and `process` of the local socket.
    public var processes: ProcessDirectory?

    public init(output: OutputBuffer, services: ServiceTable?, processes: ProcessDirectory? = nil) {
        out = output
        self.services = services
        self.processes = processes
        var generator = SystemRandomNumberGenerator()
        salt = generator.next()
    }

    public func writeNew(_ flow: Flow) {
        writeCommon(flow, event: "new", time: flow.first)
        out.text("}\n")
    }

    public func writeEnd(_ flow: Flow, _ reason: FlowEnd) {
        writeCommon(flow, event: "conn", time: flow.first)
        out.text(",\"duration\":")
        writeSeconds(flow.duration)
        out.text(",\"orig_bytes\":")
        out.decimal(flow.originatorBytes)
        out.text(",\"resp_bytes\":")
        out.decimal(flow.responderBytes)
        out.text(",\"conn_state\":\"")
        out.string(flow.state.rawValue)
        out.text("\",\"history\":\"")
        out.string(flow.history.text)
        out.text("\",\"orig_pkts\":")
        out.decimal(flow.originatorPackets)
        out.text(",\"orig_ip_bytes\":")
        out.decimal(flow.originatorIPBytes)
        out.text(",\"resp_pkts\":")
        out.decimal(flow.responderPackets)
        out.text(",\"resp_ip_bytes\":")
        out.decimal(flow.responderIPBytes)
        if flow.icmpErrors > 0 {
            // Not in Zeek's conn.log: ICMP errors that quoted this connection, and the last one.
            out.text(",\"icmp_errors\":")
            out.decimal(UInt64(flow.icmpErrors))
            out.text(",\"icmp_last_error\":{\"type\":")
            out.decimal(UInt64(flow.lastICMPError >> 8))
            out.text(",\"code\":")
            out.decimal(UInt64(flow.lastICMPError & 0xFF))
            out.text("}")
        }
        out.text(",\"end_reason\":\"")
        out.string(reason.rawValue)
        out.text("\"}\n")
    }

    /// A Zeek-style uid: "C" and the base62 digits of the flow number mixed with the run's
    /// salt (splitmix64), so uids look random and do not repeat across runs.
    public func uid(_ flow: Flow) -> String { uid(id: flow.id) }

    /// The uid of the flow numbered `id` (a tunnel parent's, say).
    public func uid(id: UInt64) -> String {
        var x = id &+ salt &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var text: [UInt8] = [UInt8(ascii: "C")]
        for _ in 0..<11 {
            text.append(alphabet[Int(x % 62)])
            x /= 62
        }
        return String(decoding: text, as: UTF8.self)
    }

    private func writeCommon(_ flow: Flow, event: StaticString, time: Int64) {
        out.reserve(768)
        out.text("{\"ts\":")
        writeSeconds(time)
        out.text(",\"event_type\":\"")
        out.text(event)
        out.text("\",\"uid\":\"")
        out.string(uid(flow))
        out.text("\",\"community_id\":\"")
        out.string(flow.communityID)
        let o = flow.originator
        let r = flow.responder
        out.text("\",\"id.orig_h\":\"")
        out.address(o.address)
        out.text("\",\"id.orig_p\":")
        out.decimal(Int(o.port))
        out.text(",\"id.resp_h\":\"")
        out.address(r.address)
        out.text("\",\"id.resp_p\":")
        out.decimal(Int(r.port))
        out.text(",\"proto\":\"")
        out.text(ConnectionNames.zeekProto(flow))
        out.byte(UInt8(ascii: "\""))
        if flow.key.vlan != 0 {
            out.text(",\"vlan\":")
            out.decimal(Int(flow.key.vlan))
        }
        if let kind = flow.encapsulation {
            // Not in Zeek's conn.log (its tunnel.log has it): what the connection travels in.
            out.text(",\"encapsulation\":\"")
            out.string(kind.name)
            out.byte(UInt8(ascii: "\""))
        }
        if flow.tunnelParent != 0 {
            out.text(",\"tunnel_parents\":[\"")
            out.string(uid(id: flow.tunnelParent))
            out.text("\"]")
        }
        if let service = ConnectionNames.service(flow, services) {
            out.text(",\"service\":\"")
            for c in service { out.byte(c >= 0x41 && c <= 0x5A ? c | 0x20 : c) }
            out.byte(UInt8(ascii: "\""))
        }
        if let processes {
            if flow.pid >= 0 {
                out.text(",\"pid\":")
                out.decimal(Int(flow.pid))
                out.text(",\"process\":")
                out.string(AlertWriter.quoted(processes.name(flow.pid) ?? "?"))
            } else {
                out.text(",\"pid\":null,\"process\":null")
            }
        }
    }

    /// Seconds with microseconds, as Zeek's JSON writes times and intervals.
    private func writeSeconds(_ nanoseconds: Int64) {
        out.decimal(Int(nanoseconds / 1_000_000_000))
        out.byte(UInt8(ascii: "."))
        out.zeroPadded(Int((nanoseconds % 1_000_000_000) / 1000), digits: 6)
    }
}
