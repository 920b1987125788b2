import NetwatchDecode
import NetwatchEvents
import NetwatchFlow

/// JSON lines for connections: a `new` record when a connection appears and a `conn` record
/// when it ends, with Zeek conn.log field names (ts, uid, id.orig_h, ..., conn_state, history)
/// and the Community ID, so they join with Zeek and Suricata output. The records come made
/// from the road (`FlowRecord`): the history store and this writer name a flow alike.
public final class ConnectionRecordWriter: EventSink {
    let out: OutputBuffer

    public init(output: OutputBuffer) {
        out = output
    }

    public func receive(_ event: NetwatchEvent) {
        switch event {
        case .flowOpened(let r): writeNew(r)
        case .flowEnded(let r): writeEnd(r)
        default: break
        }
    }

    public func flush() { out.flush() }

    public func writeNew(_ r: FlowRecord) {
        writeCommon(r, event: "new")
        out.text("}\n")
    }

    public func writeEnd(_ r: FlowRecord) {
        writeCommon(r, event: "conn")
        out.text(",\"duration\":")
        writeSeconds(r.duration)
        out.text(",\"orig_bytes\":")
        out.decimal(r.originatorBytes)
        out.text(",\"resp_bytes\":")
        out.decimal(r.responderBytes)
        out.text(",\"conn_state\":\"")
        out.string(r.connState)
        out.text("\",\"history\":\"")
        out.string(r.history)
        out.text("\",\"orig_pkts\":")
        out.decimal(r.originatorPackets)
        out.text(",\"orig_ip_bytes\":")
        out.decimal(r.originatorIPBytes)
        out.text(",\"resp_pkts\":")
        out.decimal(r.responderPackets)
        out.text(",\"resp_ip_bytes\":")
        out.decimal(r.responderIPBytes)
        if r.icmpErrors > 0 {
            // Not in Zeek's conn.log: ICMP errors that quoted this connection, and the last one.
            out.text(",\"icmp_errors\":")
            out.decimal(UInt64(r.icmpErrors))
            out.text(",\"icmp_last_error\":{\"type\":")
            out.decimal(UInt64(r.lastICMPError >> 8))
            out.text(",\"code\":")
            out.decimal(UInt64(r.lastICMPError & 0xFF))
            out.text("}")
        }
        if let reason = r.endReason {
            out.text(",\"end_reason\":\"")
            out.string(reason)
            out.byte(UInt8(ascii: "\""))
        }
        out.text("}\n")
    }

    private func writeCommon(_ r: FlowRecord, event: StaticString) {
        out.reserve(768)
        out.text("{\"ts\":")
        writeSeconds(r.start)
        out.text(",\"event_type\":\"")
        out.text(event)
        out.byte(UInt8(ascii: "\""))
        if let sensor = r.sensor {
            out.text(",\"sensor\":")
            out.string(AlertWriter.quoted(sensor))
        }
        out.text(",\"uid\":\"")
        out.string(r.uid)
        out.text("\",\"community_id\":\"")
        out.string(r.communityID)
        out.text("\",\"id.orig_h\":\"")
        out.address(r.originatorAddress)
        out.text("\",\"id.orig_p\":")
        out.decimal(Int(r.originatorPort))
        out.text(",\"id.resp_h\":\"")
        out.address(r.responderAddress)
        out.text("\",\"id.resp_p\":")
        out.decimal(Int(r.responderPort))
        out.text(",\"proto\":\"")
        out.string(r.proto)
        out.byte(UInt8(ascii: "\""))
        if let vlan = r.vlan {
            out.text(",\"vlan\":")
            out.decimal(Int(vlan))
        }
        if let interface = r.interface {
            out.text(",\"interface\":")
            out.string(AlertWriter.quoted(interface))
        }
        if let kind = r.encapsulation {
            // Not in Zeek's conn.log (its tunnel.log has it): what the connection travels in.
            out.text(",\"encapsulation\":\"")
            out.string(kind)
            out.byte(UInt8(ascii: "\""))
        }
        if !r.tunnelParents.isEmpty {
            out.text(",\"tunnel_parents\":[")
            for (i, parent) in r.tunnelParents.enumerated() {
                if i > 0 { out.byte(UInt8(ascii: ",")) }
                out.byte(UInt8(ascii: "\""))
                out.string(parent)
                out.byte(UInt8(ascii: "\""))
            }
            out.byte(UInt8(ascii: "]"))
        }
        if let service = r.service {
            out.text(",\"service\":")
            out.string(AlertWriter.quoted(service))
        }
        if r.processesKnown {
            if let pid = r.pid {
                out.text(",\"pid\":")
                out.decimal(Int(pid))
                out.text(",\"process\":")
                out.string(AlertWriter.quoted(r.process ?? "?"))
            } else {
                out.text(",\"pid\":null,\"process\":null")
            }
        }
        // Names as the Zeek geo scripts write them; only when a GeoIP database was loaded.
        if let cc = r.originatorCountry { out.text(",\"orig_cc\":"); out.string(AlertWriter.quoted(cc)) }
        if let cc = r.responderCountry { out.text(",\"resp_cc\":"); out.string(AlertWriter.quoted(cc)) }
        if let asn = r.originatorASN { out.text(",\"orig_asn\":"); out.decimal(Int(asn)) }
        if let asn = r.responderASN { out.text(",\"resp_asn\":"); out.decimal(Int(asn)) }
    }

    /// Seconds with microseconds, as Zeek's JSON writes times and intervals.
    private func writeSeconds(_ nanoseconds: Int64) {
        out.decimal(Int(nanoseconds / 1_000_000_000))
        out.byte(UInt8(ascii: "."))
        out.zeroPadded(Int((nanoseconds % 1_000_000_000) / 1000), digits: 6)
    }
}
