import Foundation
import NetwatchCapture
import NetwatchDecode
import NetwatchFlow
import NetwatchTestSupport
import XCTest

/// The look-ahead that starts loading a coming packet's flow index line: the key it makes
/// from a first look must be the key decoding makes, and a pcap or pcapng file must hand over the
/// packet that really comes next.
final class FlowKeyPeekTests: XCTestCase {
    func testPeekMakesTheDecodedKeyOnEveryCapture() throws {
        var peeked = 0
        var floodPeeks = 0
        var pcapngAhead = 0
        var laterSeen = 0
        var pcapngLater = 0
        for path in try TestData.allCaptures() {
            let source: PacketSource
            do { source = try Savefile.open(path) } catch { continue }  // the malformed set holds unreadable files
            let decoder = PacketDecoder()
            var p = DecodedPacket()
            var announced = UnsafeRawBufferPointer(start: nil, count: 0)
            var announcedLater = announced
            var laterAnnounced = announced
            var index = 0
            let name = URL(fileURLWithPath: path).lastPathComponent
            _ = try source.run({ raw in
                if announced.count > 0 {
                    XCTAssertEqual(announced.baseAddress, raw.bytes.baseAddress, "\(name) packet \(index): next is not the packet that came")
                    XCTAssertEqual(announced.count, raw.bytes.count, "\(name) packet \(index)")
                }
                // `later` names the packet after next: the next packet's `next`, and then the one that came.
                if announcedLater.count > 0 {
                    XCTAssertEqual(announcedLater.baseAddress, raw.next.baseAddress, "\(name) packet \(index): later is not the packet after next")
                }
                if laterAnnounced.count > 0 {
                    XCTAssertEqual(laterAnnounced.baseAddress, raw.bytes.baseAddress, "\(name) packet \(index): later is not the packet that came")
                    XCTAssertEqual(laterAnnounced.count, raw.bytes.count, "\(name) packet \(index)")
                }
                laterAnnounced = announcedLater
                announcedLater = raw.later
                if raw.later.count > 0 { laterSeen += 1 }
                if raw.later.count > 0 && path.hasSuffix(".pcapng") { pcapngLater += 1 }
                announced = raw.next
                if raw.next.count > 0 && path.hasSuffix(".pcapng") { pcapngAhead += 1 }
                index += 1
                // Malformed and cut-short packets included: a first look must never read past the bytes.
                guard let first = FlowKey.peek(PacketBytes(raw.bytes), linkType: raw.linkType) else { return true }
                decoder.decode(PacketBytes(raw.bytes), linkType: raw.linkType, wireLength: raw.wireLength, into: &p)
                guard let (key, sourceIsLow) = FlowKey.of(p) else {
                    // The pipeline uses the look's key for a packet decoded cleanly with ports.
                    XCTAssertFalse(p.issue == nil && p.hasPorts, "\(name) packet \(index): peek gave a key, decoding none")
                    return true
                }
                XCTAssertTrue(key == first.key, "\(name) packet \(index): peek \(first.key) vs decoded \(key)")
                XCTAssertEqual(sourceIsLow, first.sourceIsLow, "\(name) packet \(index)")
                peeked += 1
                if name == "stopddos_synflood_spoofed.pcap" { floodPeeks += 1 }
                return true
            }, tick: {})
        }
        XCTAssertGreaterThan(peeked, 10_000)
        XCTAssertGreaterThan(floodPeeks, 1000, "every SYN of the flood capture is looked at ahead")
        XCTAssertGreaterThan(pcapngAhead, 1000, "pcapng readers show the next packet too")
        XCTAssertGreaterThan(laterSeen, 10_000, "pcap readers show the packet after next")
        XCTAssertGreaterThan(pcapngLater, 1000, "pcapng readers too")
    }
}
