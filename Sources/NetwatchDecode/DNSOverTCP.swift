/// DNS over TCP framed by its stream (RFC 1035 4.2.2, RFC 7766): each message is a two-byte
/// length and the message, and a message, or its length, may be split across segments. The
/// stateless decode can only guess that a segment starts a message; this follows each
/// direction's sequence numbers, as tshark reassembles, so a segment in the middle of a
/// message is said to be one (`continuation`) instead of being read as a header, and a
/// message that arrives in pieces is decoded whole.
///
/// Bounded: at most `maxStreams` directions are followed (past that they are all forgotten
/// and followed afresh) and a direction holds at most one unfinished message (65,537 bytes).
public final class DNSOverTCP {
    struct Direction: Hashable {
        var src: IPAddress
        var dst: IPAddress
        var srcPort: UInt16
        var dstPort: UInt16
    }

    struct Stream {
        /// Sequence number of the next byte expected.
        var next: UInt32
        /// Bytes of a message not yet complete, its length prefix first.
        var pending: [UInt8] = []
    }

    public let maxStreams: Int
    private var streams: [Direction: Stream] = [:]
    /// Room for the message last put together from several segments.
    private let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 8)
    private var messageLength = 0

    public init(maxStreams: Int = 4096) {
        self.maxStreams = maxStreams
    }

    deinit { storage.deallocate() }

    /// The message last put together from several segments; `DNSInfo.offset` is into it
    /// when `DNSInfo.reassembled` is set. Valid until the next call of `frame`.
    public var message: PacketBytes { PacketBytes(UnsafeRawBufferPointer(rebasing: storage[0..<messageLength])) }

    /// Streams followed now (for tests).
    public var count: Int { streams.count }

    /// Whether `p` is a TCP segment with payload on a DNS port, what `frame` reads: one flag
    /// the decode sets, so other packets pay a byte's test.
    @inlinable
    public static func wants(_ p: inout DecodedPacket) -> Bool { p.dns.tcpSegment }

    /// Frames the segment `p` (decoded from `bytes`) by its stream and rewrites its DNS
    /// fields: the first message that completes here (its bytes in `message` when it began in
    /// an earlier segment), the start of one that goes on, or a continuation.
    public func frame(_ bytes: PacketBytes, _ p: inout DecodedPacket) {
        let key = Direction(src: p.src, dst: p.dst, srcPort: p.srcPort, dstPort: p.dstPort)
        guard p.payloadLength > 0, !p.fragment.isFragment else { return }
        // A stream is followed from the first segment with data seen (it starts a message, as
        // the stateless decode guesses), not from its SYN.
        var stream = streams[key] ?? start(key, next: p.tcp.seq)
        let seq = p.tcp.seq
        if seq != stream.next {
            if Int32(bitPattern: seq &- stream.next) < 0 {
                // Sent again (all or part of it): what it holds was shown the first time.
                markContinuation(&p)
                return
            }
            // A gap: bytes were not captured. Guess, as the stateless decode does, that a
            // message starts here.
            stream.pending.removeAll()
        }
        let payload = bytes.slice(p.payloadOffset, min(p.payloadLength, bytes.count - p.payloadOffset))
        stream.next = seq &+ UInt32(truncatingIfNeeded: p.payloadLength)
        let carried = stream.pending.count
        if p.payloadMissing > 0 || payload.count < p.payloadLength {
            // Cut by the snap length: the stream cannot be followed past this segment.
            streams[key] = nil
            if carried > 0 { markContinuation(&p) } else { clearGuess(&p); decodeStart(payload, at: p.payloadOffset, bytes, &p) }
            return
        }
        // Walk the messages of pending bytes followed by this payload, without copying
        // when nothing is pending.
        func byte(_ i: Int) -> UInt8 { i < carried ? stream.pending[i] : payload.u8(i - carried) }
        let total = carried + payload.count
        var position = 0
        var shown: (start: Int, length: Int)?
        while position + 2 <= total {
            let length = Int(byte(position)) << 8 | Int(byte(position + 1))
            guard position + 2 + length <= total else { break }
            if shown == nil { shown = (position + 2, length) }
            position += 2 + length
        }
        clearGuess(&p)
        if let shown {
            if shown.start >= carried {
                // Whole in this packet: read in place.
                PacketDecoder.decodeDNSMessage(bytes, at: p.payloadOffset + shown.start - carried, length: shown.length, overTCP: true, into: &p)
            } else {
                for i in 0..<shown.length { storage[i] = byte(shown.start + i) }
                messageLength = shown.length
                PacketDecoder.decodeDNSMessage(message, at: 0, length: shown.length, overTCP: true, into: &p)
                p.dns.reassembled = true
            }
        } else if carried == 0 {
            // A message starts here and goes on: its header, if it is here, and nothing judged.
            decodeStart(payload, at: p.payloadOffset, bytes, &p)
        } else {
            markContinuation(&p)
        }
        // Keep what is left of an unfinished message (its prefix at least) for the next segment.
        var rest: [UInt8] = []
        if position < total {
            rest.reserveCapacity(total - position)
            for i in position..<total { rest.append(byte(i)) }
        }
        stream.pending = rest.count <= 65_537 ? rest : []
        streams[key] = stream
    }

    @discardableResult
    private func start(_ key: Direction, next: UInt32) -> Stream {
        // Full: start afresh (what is forgotten is guessed again, as the stateless decode does);
        // no search for the oldest under a flood of new streams.
        if streams.count >= maxStreams { streams.removeAll(keepingCapacity: true) }
        let stream = Stream(next: next)
        streams[key] = stream
        return stream
    }

    /// Forgets what the stateless decode read into the DNS fields (it guessed a message start).
    private func clearGuess(_ p: inout DecodedPacket) {
        p.dns = DNSInfo()
        if p.application == .dns { p.application = .none }
        if p.issue?.layer == .dns { p.issue = nil }
    }

    private func markContinuation(_ p: inout DecodedPacket) {
        clearGuess(&p)
        p.application = .dns
        p.dns.overTCP = true
        p.dns.continuation = true
    }

    /// The header of a message that starts at `offset` and goes on past this segment.
    private func decodeStart(_ payload: PacketBytes, at offset: Int, _ bytes: PacketBytes, _ p: inout DecodedPacket) {
        guard payload.count >= 14 else {
            markContinuation(&p)  // not even the header: nothing to show yet
            return
        }
        let length = Int(payload.u16(0))
        guard length >= 12 else { return }
        PacketDecoder.readHeader(bytes, at: offset + 2, length: length, overTCP: true, &p)
    }
}
