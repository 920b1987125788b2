import NetwatchDecode

/// IPFIX (RFC 7011) messages for flows: one bidirectional record per flow (RFC 5103:
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

    /// One data record's bytes (the template's field order), appended to `out`: the record's
    /// length is added at once and the fields stored big-endian at their offsets.
    public func append(_ r: ExportRecord, to out: inout [UInt8]) {
        let v6 = r.isIPv6
        let start = out.count
        // Room for the record, copied from zeros (a memcpy; `repeatElement` went byte by byte).
        Self.zeros.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<(v6 ? Self.ipv6RecordLength : Self.ipv4RecordLength)])) }
        out.withUnsafeMutableBytes { p in
            var o = start
            func put<T: FixedWidthInteger>(_ v: T) {
                p.storeBytes(of: v.bigEndian, toByteOffset: o, as: T.self)
                o += MemoryLayout<T>.size
            }
            func address(_ a: IPAddress) {
                if !v6 {
                    put(a.ipv4)
                } else if a.isIPv6 {
                    put(a.high)
                    put(a.low)
                } else {
                    // An IPv4 end of an IPv6 record (cannot happen on the wire): mapped.
                    put(UInt64(0))
                    put(0x0000_FFFF_0000_0000 | UInt64(a.ipv4))
                }
            }
            address(r.source)
            address(r.destination)
            put(r.sourcePort)
            put(r.destinationPort)
            put(r.ipProtocol)
            put(r.originatorPackets)
            put(r.originatorIPBytes)
            put(r.responderPackets)
            put(r.responderIPBytes)
            put(r.startMilliseconds)
            put(r.endMilliseconds)
            put(r.endReason)
            put(r.vlan)
            put(r.interface)
            put(r.icmpTypeCode)
            put(UInt16(r.originatorTCPFlags))
            put(UInt16(r.responderTCPFlags))
        }
    }

    static let ipv4RecordLength = recordLength(ipv6: false)
    static let ipv6RecordLength = recordLength(ipv6: true)
    static let zeros = [UInt8](repeating: 0, count: 128)

    /// Messages carrying `records` (v4 and v6 in their own sets), each within `maxMessage`,
    /// with `templates` first when asked. `sequence` counts data records sent before (RFC 7011
    /// 3.1) and is advanced.
    public func messages(_ records: [ExportRecord], templates: Bool, exportTime: UInt32, sequence: inout UInt32) -> [[UInt8]] {
        var buffer: [UInt8] = [], ends: [Int] = []
        encode(records, templates: templates, exportTime: exportTime, sequence: &sequence, into: &buffer, ends: &ends)
        var start = 0
        return ends.map { end in
            defer { start = end }
            return Array(buffer[start..<end])
        }
    }

    /// The same messages one after another in `buffer` (emptied first, its storage kept), the
    /// end of each in `ends`: what the exporter sends, without an array per message.
    public func encode(_ records: [ExportRecord], templates: Bool, exportTime: UInt32, sequence: inout UInt32,
                       into buffer: inout [UInt8], ends: inout [Int]) {
        buffer.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        // Records, and a message header and set header per message's worth of them.
        buffer.reserveCapacity(records.count * (Self.ipv6RecordLength + 2) + 1024)
        let lengths = (v4: Self.ipv4RecordLength, v6: Self.ipv6RecordLength)
        var messageStart = 0
        var count: UInt32 = 0
        var setStart = -1
        var setTemplate: UInt16 = 0
        func start() {
            messageStart = buffer.count
            buffer += [0, 10, 0, 0]  // version; the length once known
            put32(&buffer, exportTime)
            put32(&buffer, 0)        // the sequence once known
            put32(&buffer, observationDomain)
            if templates && ends.isEmpty { buffer += templateSet() }
        }
        func finishSet() {
            guard setStart >= 0 else { return }
            let length = UInt16(buffer.count - setStart)
            buffer[setStart + 2] = UInt8(length >> 8)
            buffer[setStart + 3] = UInt8(length & 0xFF)
            setStart = -1
        }
        func finishMessage() {
            finishSet()
            let length = buffer.count - messageStart
            guard length > 16 else {
                buffer.removeLast(length)
                return
            }
            buffer[messageStart + 2] = UInt8(length >> 8)
            buffer[messageStart + 3] = UInt8(length & 0xFF)
            for (i, shift) in [24, 16, 8, 0].enumerated() { buffer[messageStart + 8 + i] = UInt8((sequence >> UInt32(shift)) & 0xFF) }
            ends.append(buffer.count)
            sequence &+= count
            count = 0
        }
        start()
        for r in records {
            let v6 = r.isIPv6
            let template = v6 ? Self.ipv6Template : Self.ipv4Template
            let needsSet = setStart < 0 || setTemplate != template
            if buffer.count - messageStart + (v6 ? lengths.v6 : lengths.v4) + (needsSet ? 4 : 0) > maxMessage {
                finishMessage()
                start()
            }
            if setStart < 0 || setTemplate != template {
                finishSet()
                setStart = buffer.count
                setTemplate = template
                put16(&buffer, template)
                put16(&buffer, 0)
            }
            append(r, to: &buffer)
            count += 1
        }
        finishMessage()
    }

    func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    func put16(_ out: inout [UInt8], _ v: UInt16) { out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xFF)) }
    func put32(_ out: inout [UInt8], _ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
    func put64(_ out: inout [UInt8], _ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
}
