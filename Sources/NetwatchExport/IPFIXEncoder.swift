import NetwatchDecode
import NetwatchEvents

/// IPFIX (RFC 7011) messages for conn records: one bidirectional record per flow (RFC 5103:
/// the reverse direction's counters under IANA's reverse PEN 29305), IPv4 and IPv6 templates.
/// No I/O: the exporter sends what this builds.
public struct IPFIXEncoder: Sendable {
    /// Information elements: (id, length, reverse).
    struct Field {
        var id: UInt16
        var length: UInt16
        var reverse = false
    }

    public static let ipv4Template: UInt16 = 256
    public static let ipv6Template: UInt16 = 257
    /// IANA's private enterprise number for reverse information elements (RFC 5103).
    static let reversePEN: UInt32 = 29305

    static func fields(ipv6: Bool) -> [Field] {
        [Field(id: ipv6 ? 27 : 8, length: ipv6 ? 16 : 4),  // sourceIPv4/6Address
         Field(id: ipv6 ? 28 : 12, length: ipv6 ? 16 : 4), // destinationIPv4/6Address
         Field(id: 7, length: 2),                          // sourceTransportPort
         Field(id: 11, length: 2),                         // destinationTransportPort
         Field(id: 4, length: 1),                          // protocolIdentifier
         Field(id: 2, length: 8),                          // packetDeltaCount
         Field(id: 1, length: 8),                          // octetDeltaCount
         Field(id: 2, length: 8, reverse: true),           // reversePacketDeltaCount
         Field(id: 1, length: 8, reverse: true),           // reverseOctetDeltaCount
         Field(id: 152, length: 8),                        // flowStartMilliseconds
         Field(id: 153, length: 8),                        // flowEndMilliseconds
         Field(id: 136, length: 1),                        // flowEndReason
         Field(id: 58, length: 2),                         // vlanId
         Field(id: 10, length: 4),                         // ingressInterface
         Field(id: ipv6 ? 139 : 32, length: 2),            // icmpTypeCodeIPv4/6
         Field(id: 6, length: 2),                          // tcpControlBits
         Field(id: 6, length: 2, reverse: true)]           // reverseTcpControlBits
    }

    static func recordLength(ipv6: Bool) -> Int { fields(ipv6: ipv6).reduce(0) { $0 + Int($1.length) } }

    public let observationDomain: UInt32
    /// Largest message, bytes (what fits a path MTU of 1500 in UDP over IPv6).
    public let maxMessage: Int

    public init(observationDomain: UInt32 = 0, maxMessage: Int = 1400) {
        self.observationDomain = observationDomain
        self.maxMessage = maxMessage
    }

    /// A template set with both templates.
    public func templateSet() -> [UInt8] {
        var set: [UInt8] = []
        for (id, v6) in [(Self.ipv4Template, false), (Self.ipv6Template, true)] {
            let fields = Self.fields(ipv6: v6)
            put16(&set, id)
            put16(&set, UInt16(fields.count))
            for f in fields {
                put16(&set, f.reverse ? f.id | 0x8000 : f.id)
                put16(&set, f.length)
                if f.reverse { put32(&set, Self.reversePEN) }
            }
        }
        return [0, 2] + be16(UInt16(set.count + 4)) + set
    }

    /// flowEndReason (IANA): idle timeout 1, active timeout 2, end of flow 3, forced end 4, lack of resources 5.
    static func endReason(_ r: FlowRecord, active: Bool) -> UInt8 {
        if active { return 2 }
        switch r.endReason {
        case "evicted": return 5
        case "shutdown": return 4
        default: return ["SF", "RSTO", "RSTR", "REJ", "RSTOS0", "RSTRH"].contains(r.connState) ? 3 : 1
        }
    }

    /// One data record's bytes (the template's field order).
    public func record(_ r: FlowRecord, interface: UInt32 = 0, active: Bool = false) -> [UInt8] {
        let v6 = r.originatorAddress.isIPv6 || r.responderAddress.isIPv6
        var out: [UInt8] = []
        out.reserveCapacity(Self.recordLength(ipv6: v6))
        address(&out, r.originatorAddress, v6)
        address(&out, r.responderAddress, v6)
        let icmp = r.ipProtocol == 1 || r.ipProtocol == 58
        put16(&out, icmp ? 0 : r.originatorPort)
        put16(&out, icmp ? 0 : r.responderPort)
        out.append(r.ipProtocol)
        put64(&out, r.originatorPackets)
        put64(&out, r.originatorIPBytes)
        put64(&out, r.responderPackets)
        put64(&out, r.responderIPBytes)
        put64(&out, UInt64(max(0, r.start / 1_000_000)))
        put64(&out, UInt64(max(0, r.end / 1_000_000)))
        out.append(Self.endReason(r, active: active))
        put16(&out, r.vlan ?? 0)
        put32(&out, interface)
        // Zeek's convention for ICMP: the originator's "port" is the type, the responder's the code.
        put16(&out, icmp ? (r.originatorPort & 0xFF) << 8 | (r.responderPort & 0xFF) : 0)
        put16(&out, UInt16(r.originatorTCPFlags))
        put16(&out, UInt16(r.responderTCPFlags))
        return out
    }

    /// Messages carrying `records` (v4 and v6 in their own sets), each within `maxMessage`,
    /// with `templates` first when asked. `sequence` counts data records sent before (RFC 7011
    /// 3.1) and is advanced.
    public func messages(_ records: [(record: FlowRecord, interface: UInt32, active: Bool)], templates: Bool, exportTime: UInt32,
                         sequence: inout UInt32) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var body: [UInt8] = templates ? templateSet() : []
        var count: UInt32 = 0
        var setStart = -1
        var setTemplate: UInt16 = 0
        func finishSet() {
            guard setStart >= 0 else { return }
            let length = UInt16(body.count - setStart)
            body[setStart + 2] = UInt8(length >> 8)
            body[setStart + 3] = UInt8(length & 0xFF)
            setStart = -1
        }
        func finishMessage() {
            finishSet()
            guard !body.isEmpty else { return }
            out.append(header(length: body.count + 16, exportTime: exportTime, sequence: sequence) + body)
            sequence &+= count
            body = []
            count = 0
        }
        for (r, interface, active) in records {
            let bytes = record(r, interface: interface, active: active)
            let template = r.originatorAddress.isIPv6 || r.responderAddress.isIPv6 ? Self.ipv6Template : Self.ipv4Template
            let needsSet = setStart < 0 || setTemplate != template
            if 16 + body.count + bytes.count + (needsSet ? 4 : 0) > maxMessage { finishMessage() }
            if setStart < 0 || setTemplate != template {
                finishSet()
                setStart = body.count
                setTemplate = template
                put16(&body, template)
                put16(&body, 0)
            }
            body += bytes
            count += 1
        }
        finishMessage()
        if out.isEmpty && templates {
            out.append(header(length: 16 + templateSet().count, exportTime: exportTime, sequence: sequence) + templateSet())
        }
        return out
    }

    func header(length: Int, exportTime: UInt32, sequence: UInt32) -> [UInt8] {
        var h: [UInt8] = []
        put16(&h, 10)
        put16(&h, UInt16(length))
        put32(&h, exportTime)
        put32(&h, sequence)
        put32(&h, observationDomain)
        return h
    }

    func address(_ out: inout [UInt8], _ a: IPAddress, _ v6: Bool) {
        if v6 {
            if a.isIPv6 {
                put64(&out, a.high)
                put64(&out, a.low)
            } else {
                // An IPv4 end of an IPv6 record (cannot happen on the wire): mapped.
                put64(&out, 0)
                put64(&out, 0x0000_FFFF_0000_0000 | UInt64(a.ipv4))
            }
        } else {
            put32(&out, a.ipv4)
        }
    }

    func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    func put16(_ out: inout [UInt8], _ v: UInt16) { out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xFF)) }
    func put32(_ out: inout [UInt8], _ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    func put64(_ out: inout [UInt8], _ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8((v >> UInt64(s)) & 0xFF)) } }
}
