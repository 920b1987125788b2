extension PacketDecoder {
    /// DNS (RFC 1035) over UDP or TCP: reads the header and walks every record once, so a
    /// malformed message is caught (and counted) even when nothing is printed.
    func decodeDNS(_ f: Frame, _ region: IPRegion, overTCP: Bool, _ p: inout DecodedPacket) {
        let b = f.bytes
        var o = p.payloadOffset
        var claimedEnd = region.claimedEnd
        if overTCP {
            // Only a segment that starts a message carries the two-byte length prefix;
            // anything too short to be one is left as plain payload.
            guard b.contains(o, 2), o + 2 <= claimedEnd else { return }
            let length = Int(b.u16(o))
            guard length >= 12 else { return }
            o += 2
            if o + length > claimedEnd {
                // The message continues in later segments: show its header, judge nothing.
                guard f.check(o, 12, claimedEnd: claimedEnd) == nil else { return }
                Self.readHeader(f.bytes, at: o, length: claimedEnd - o, overTCP: true, &p)
                return
            }
            claimedEnd = o + length
        }
        if let kind = f.check(o, 12, claimedEnd: claimedEnd) {
            p.flag(.dns, kind)
            return
        }
        Self.readHeader(b, at: o, length: claimedEnd - o, overTCP: overTCP, &p)
        let message = DNSMessage(packet: b, info: p.dns)
        if let kind = message.forEachRecord({ _ in true }) {
            p.flag(.dns, kind)
        }
    }
}

extension PacketDecoder {
    /// Decodes one whole DNS message of `length` bytes at `offset` in `bytes` (a TCP message
    /// framed by its stream, `DNSOverTCP`): header, then every record, flagging what breaks.
    public static func decodeDNSMessage(_ bytes: PacketBytes, at offset: Int, length: Int, overTCP: Bool, into p: inout DecodedPacket) {
        guard bytes.contains(offset, 12), length >= 12 else {
            p.flag(.dns, length < 12 ? .invalid : .truncated)
            return
        }
        Self.readHeader(bytes, at: offset, length: length, overTCP: overTCP, &p)
        if let kind = DNSMessage(packet: bytes, info: p.dns).forEachRecord({ _ in true }) { p.flag(.dns, kind) }
    }

    static func readHeader(_ b: PacketBytes, at o: Int, length: Int, overTCP: Bool, _ p: inout DecodedPacket) {
        p.application = .dns
        p.dns.overTCP = overTCP
        p.dns.offset = o
        p.dns.length = length
        p.dns.id = b.u16(o)
        p.dns.flags = b.u16(o + 2)
        p.dns.questionCount = b.u16(o + 4)
        p.dns.answerCount = b.u16(o + 6)
        p.dns.authorityCount = b.u16(o + 8)
        p.dns.additionalCount = b.u16(o + 10)
    }
}

/// A view of one DNS message for reading its records and names (compression followed,
/// with a bound on jumps so a pointer loop ends).
public struct DNSMessage {
    /// The captured part of the message; offsets below are relative to its start.
    public let bytes: PacketBytes
    /// The length the transport says the message has (may exceed what was captured).
    public let claimedLength: Int
    public let info: DNSInfo

    public init(packet: PacketBytes, info: DNSInfo) {
        let available = max(0, min(info.length, packet.count - info.offset))
        bytes = packet.slice(info.offset, available)
        claimedLength = info.length
        self.info = info
    }

    public enum Section: UInt8, Sendable {
        case question, answer, authority, additional
    }

    public struct Record {
        public var section: Section
        public var nameOffset: Int
        public var type: UInt16
        public var recordClass: UInt16
        public var ttl: UInt32
        /// Offset and length of RDATA (0 for questions).
        public var dataOffset: Int
        public var dataLength: Int
    }

    /// Visits questions, then answers, authority and additional records, until `body`
    /// returns false. Returns why the walk stopped early, or nil when every record was read.
    @discardableResult
    public func forEachRecord(_ body: (Record) -> Bool) -> DecodeIssue.Kind? {
        var offset = 12
        for index in 0..<4 {
            let section: Section
            let count: UInt16
            switch index {
            case 0: (section, count) = (.question, info.questionCount)
            case 1: (section, count) = (.answer, info.answerCount)
            case 2: (section, count) = (.authority, info.authorityCount)
            default: (section, count) = (.additional, info.additionalCount)
            }
            var remaining = Int(count)
            while remaining > 0 {
                remaining -= 1
                guard let afterName = skipName(at: offset) else { return failure(at: offset) }
                let fixed = section == .question ? 4 : 10
                guard bytes.contains(afterName, fixed) else { return failure(at: afterName + fixed) }
                var record = Record(
                    section: section, nameOffset: offset, type: bytes.u16(afterName),
                    recordClass: bytes.u16(afterName + 2), ttl: 0, dataOffset: 0, dataLength: 0)
                offset = afterName + fixed
                if section != .question {
                    record.ttl = bytes.u32(afterName + 4)
                    record.dataLength = Int(bytes.u16(afterName + 8))
                    record.dataOffset = offset
                    guard bytes.contains(offset, record.dataLength) else {
                        return failure(at: offset + record.dataLength)
                    }
                    offset += record.dataLength
                }
                if !body(record) { return nil }
            }
        }
        return nil
    }

    /// A walk that fails in a message the capture cut short is called truncated: the
    /// missing bytes may well have made it whole.
    private func failure(at offset: Int) -> DecodeIssue.Kind {
        bytes.count < claimedLength || offset > bytes.count ? .truncated : .invalid
    }

    /// The offset just past the name at `offset`, without following compression pointers.
    public func skipName(at start: Int) -> Int? {
        var offset = start
        while true {
            guard bytes.contains(offset, 1) else { return nil }
            let length = bytes.u8(offset)
            switch length & 0xC0 {
            case 0xC0:
                return bytes.contains(offset, 2) ? offset + 2 : nil
            case 0x00:
                if length == 0 { return offset + 1 }
                offset += 1 + Int(length)
                if offset - start > 255 { return nil }
            default:
                return nil  // 0x40/0x80: extended label types, obsolete (RFC 6891)
            }
        }
    }

    /// Calls `label` with each label of the name at `offset`, following compression.
    /// Returns false for a malformed name (bad pointer, loop, over 255 bytes).
    public func readName(at start: Int, _ label: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var offset = start
        var jumps = 0
        var total = 0
        while true {
            guard bytes.contains(offset, 1) else { return false }
            let length = bytes.u8(offset)
            switch length & 0xC0 {
            case 0xC0:
                guard bytes.contains(offset, 2), jumps < 64 else { return false }
                jumps += 1
                offset = Int(bytes.u16(offset) & 0x3FFF)
            case 0x00:
                if length == 0 { return true }
                let n = Int(length)
                total += n + 1
                guard total <= 255, bytes.contains(offset + 1, n) else { return false }
                label(UnsafeRawBufferPointer(rebasing: bytes.buffer[(offset + 1)..<(offset + 1 + n)]))
                offset += 1 + n
            default:
                return false
            }
        }
    }
}
