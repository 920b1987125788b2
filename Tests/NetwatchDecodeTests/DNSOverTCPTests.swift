import NetwatchDecode
import XCTest

/// DNS over TCP framed by its stream (issue 24, item 1): a segment inside a message is not read
/// as a header, and a message in pieces is decoded whole.
final class DNSOverTCPTests: XCTestCase {
    /// A response for example.com with one A record (10.0.0.9), id 0xb4c3.
    static let response: [UInt8] = [0xB4, 0xC3, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
                                     7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1,
                                     0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 9]

    /// Ethernet / IPv4 / TCP 53 → 40000 with `flags` and `seq`, carrying `payload`.
    func segment(seq: UInt32, flags: UInt8 = 0x18, _ payload: [UInt8]) -> [UInt8] {
        let total = 40 + payload.count
        var p: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
        p += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        p += [0, 53, 0x9C, 0x40] + withUnsafeBytes(of: seq.bigEndian, Array.init) + [0, 0, 0, 1, 0x50, flags, 0x10, 0, 0, 0, 0, 0]
        return p + payload
    }

    /// Decodes and frames each segment in turn: what each one shows.
    func frame(_ segments: [[UInt8]], streams: DNSOverTCP = DNSOverTCP()) -> [(p: DecodedPacket, message: [UInt8]?)] {
        segments.map { bytes in
            bytes.withUnsafeBytes { raw in
                var p = DecodedPacket()
                PacketDecoder().decode(PacketBytes(raw), linkType: .ethernet, wireLength: bytes.count, into: &p)
                if DNSOverTCP.wants(&p) { streams.frame(PacketBytes(raw), &p) }
                let message = p.dns.reassembled ? Array(UnsafeRawBufferPointer(start: streams.message.buffer.baseAddress, count: streams.message.count)) : nil
                return (p, message)
            }
        }
    }

    func testLengthPrefixSplitFromItsMessage() {
        // As in cs_dns_tcp.pcapng: the first byte of the length alone, then the rest.
        let m = Self.response
        let shown = frame([
            segment(seq: 99, flags: 0x12, []),
            segment(seq: 100, [UInt8(m.count >> 8)]),
            segment(seq: 101, [UInt8(m.count & 0xFF)] + m),
        ])
        XCTAssertTrue(shown[1].p.dns.continuation, "a lone length byte is no header")
        XCTAssertEqual(shown[1].p.application, .dns)
        XCTAssertEqual(shown[2].p.dns.id, 0xB4C3)
        XCTAssertEqual(shown[2].p.dns.answerCount, 1)
        XCTAssertFalse(shown[2].p.dns.continuation)
        XCTAssertNil(shown[2].p.issue)
    }

    func testMessageInThreePieces() {
        let framed = [UInt8(0), UInt8(Self.response.count)] + Self.response
        let shown = frame([
            segment(seq: 1, flags: 0x02, []),
            segment(seq: 2, Array(framed[0..<20])),
            segment(seq: 22, Array(framed[20..<30])),
            segment(seq: 32, Array(framed[30...])),
        ])
        XCTAssertEqual(shown[1].p.dns.id, 0xB4C3, "the start of a message shows its header")
        XCTAssertTrue(shown[2].p.dns.continuation)
        XCTAssertEqual(shown[3].p.dns.id, 0xB4C3)
        XCTAssertTrue(shown[3].p.dns.reassembled)
        XCTAssertEqual(shown[3].message, Self.response)
        XCTAssertNil(shown[3].p.issue)
        let m = DNSMessage(packet: PacketBytes(shown[3].message!.withUnsafeBytes { $0 }), info: shown[3].p.dns)
        var answers = 0
        XCTAssertNil(m.forEachRecord { r in
            if r.section == .answer { answers += 1 }
            return true
        })
        XCTAssertEqual(answers, 1)
    }

    func testTwoMessagesInOneSegmentAndARetransmission() {
        let framed = [UInt8(0), UInt8(Self.response.count)] + Self.response
        let streams = DNSOverTCP()
        let shown = frame([
            segment(seq: 1, flags: 0x02, []),
            segment(seq: 2, framed + framed),
            segment(seq: 2, framed),  // sent again
            segment(seq: UInt32(2 + 2 * framed.count), framed),
        ], streams: streams)
        XCTAssertEqual(shown[1].p.dns.id, 0xB4C3)
        XCTAssertTrue(shown[2].p.dns.continuation, "a retransmission was shown the first time")
        XCTAssertEqual(shown[3].p.dns.id, 0xB4C3, "the stream is still in step")
        XCTAssertEqual(streams.count, 1)
    }

    func testStreamsAreBounded() {
        let streams = DNSOverTCP(maxStreams: 4)
        for port in 0..<10 {
            var bytes = segment(seq: 1, [0, 40])  // the start of a message, 40 bytes to come
            bytes[34 + 2] = UInt8(port)  // destination port: a new direction each time
            _ = frame([bytes], streams: streams)
            XCTAssertLessThanOrEqual(streams.count, 4)
        }
        XCTAssertGreaterThan(streams.count, 0)
    }

    /// Every cut of a framed message, and bytes that claim impossible lengths, never trap.
    func testEveryCutAndGarbage() {
        let framed = [UInt8(0), UInt8(Self.response.count)] + Self.response
        for cut in 1..<framed.count {
            let shown = frame([segment(seq: 1, flags: 0x02, []), segment(seq: 2, Array(framed[..<cut])), segment(seq: UInt32(2 + cut), Array(framed[cut...]))])
            XCTAssertEqual(shown[2].p.dns.id, 0xB4C3, "cut at \(cut)")
            XCTAssertNil(shown[2].p.issue, "cut at \(cut)")
        }
        var garbage: [UInt8] = [0xFF, 0xFF]
        for i in 0..<500 { garbage.append(UInt8(truncatingIfNeeded: i &* 37)) }
        let shown = frame([segment(seq: 1, flags: 0x02, []), segment(seq: 2, garbage), segment(seq: 504, garbage)])
        XCTAssertTrue(shown[2].p.dns.continuation)
    }
}
