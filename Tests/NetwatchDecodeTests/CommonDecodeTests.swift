import Foundation
import NetwatchCapture
@testable import NetwatchDecode
import NetwatchTestSupport
import XCTest

/// The common-packet decode (untagged Ethernet, plain IPv4, TCP or UDP) is a shortcut: it must
/// give, field for field, what the layer-by-layer decode gives, and the record it leaves
/// uncleared between packets must never carry anything over.
final class CommonDecodeTests: XCTestCase {
    func testCommonDecodeEqualsTheLayeredDecodeOnEveryCapture() throws {
        let decoder = PacketDecoder()
        var common = 0
        var failures = 0
        for path in try TestData.allCaptures() {
            let source: PacketSource
            do { source = try Savefile.open(path) } catch { continue }  // the malformed set holds unreadable files
            let name = URL(fileURLWithPath: path).lastPathComponent
            // One record for the whole file, as the packet loop keeps it.
            var reused = DecodedPacket()
            var index = 0
            _ = try source.run({ raw in
                index += 1
                let bytes = PacketBytes(raw.bytes)
                decoder.decode(bytes, linkType: raw.linkType, wireLength: raw.wireLength, into: &reused)
                var layered = DecodedPacket()
                decoder.decodeByLayer(Frame(bytes: bytes, wireLength: max(raw.wireLength, bytes.count)), linkType: raw.linkType, &layered)
                // Only the shortcut's records can differ: any other packet took the layered decode.
                guard reused.commonOnly else { return true }
                common += 1
                var seen = reused
                seen.commonOnly = false
                if !CommonDecodeTests.same(seen, layered) {
                    failures += 1
                    if failures <= 5 { XCTFail("\(name) packet \(index): common decode\n\(seen)\nlayered decode\n\(layered)") }
                }
                return true
            }, tick: {})
        }
        XCTAssertEqual(failures, 0)
        XCTAssertGreaterThan(common, 20_000, "most packets of the shared captures take the common decode")
    }

    /// Field for field: the same bytes (quick), or failing that (padding may differ) the
    /// same printed fields.
    static func same(_ a: DecodedPacket, _ b: DecodedPacket) -> Bool {
        let equalBytes = withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.elementsEqual(y) } }
        return equalBytes || String(describing: a) == String(describing: b)
    }

    /// Hand-made edge cases next to the common shape: each must leave the shortcut to the
    /// layered decode, or take it with the same result.
    func testEdgesOfTheCommonShape() {
        // Ethernet / IPv4 / UDP 1000 -> 2000, 4 bytes of data, then variants.
        let udp = Fixture.bytes(Fixture.ethernetHeader + " 08 00" + """
            45 00 00 20 00 03 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02 03 e8 07 d0 00 0c 00 00 de ad be ef
            """)
        var variants: [(String, [UInt8], Int)] = [("udp", udp, udp.count)]
        var dns = udp
        dns[36] = 0
        dns[37] = 53  // destination port 53: the DNS decode must see it
        variants.append(("dns port", dns, dns.count))
        var longUDP = udp
        longUDP[39] = 0x20  // UDP length past the datagram
        variants.append(("udp length too long", longUDP, longUDP.count))
        var fragment = udp
        fragment[20] = 0x20  // more fragments
        variants.append(("fragment", fragment, fragment.count))
        var zeroLength = udp
        zeroLength[16] = 0
        zeroLength[17] = 0  // offload's 0 length
        variants.append(("zero IP length", zeroLength, zeroLength.count))
        variants.append(("cut by snap length", Array(udp.prefix(44)), udp.count))
        variants.append(("padded frame", udp + [0, 0, 0, 0], udp.count + 4))
        let syn = Fixture.tcpSyn  // MSS, SACK-permitted, timestamps, NOP, window scale
        variants.append(("tcp options", syn, syn.count))
        var brokenOption = syn
        brokenOption[55] = 40  // the MSS option's length runs past the header
        variants.append(("broken tcp option", brokenOption, brokenOption.count))
        var shortOffset = syn
        shortOffset[46] = 0x40  // a 16-byte header
        variants.append(("tcp data offset under 20", shortOffset, shortOffset.count))
        variants.append(("tcp options cut by snap length", Array(syn.prefix(60)), syn.count))
        var plainSyn = Array(syn.prefix(54))
        plainSyn[16] = 0
        plainSyn[17] = 40
        plainSyn[46] = 0x50
        variants.append(("plain syn", plainSyn, plainSyn.count))
        variants.append(("plain syn, datagram longer than the frame", plainSyn, plainSyn.count - 4))
        variants.append(("short tcp header", Array(plainSyn.prefix(50)), plainSyn.count))
        let decoder = PacketDecoder()
        var reused = DecodedPacket()
        for (name, bytes, wire) in variants + variants.reversed() {
            bytes.withUnsafeBytes { raw in
                let b = PacketBytes(raw)
                decoder.decode(b, linkType: .ethernet, wireLength: wire, into: &reused)
                var layered = DecodedPacket()
                decoder.decodeByLayer(Frame(bytes: b, wireLength: max(wire, b.count)), linkType: .ethernet, &layered)
                var seen = reused
                seen.commonOnly = false
                XCTAssertTrue(CommonDecodeTests.same(seen, layered), "\(name)\n\(seen)\n\(layered)")
            }
        }
        XCTAssertTrue(Fixture.decode(plainSyn).commonOnly, "a plain SYN takes the common decode")
        XCTAssertTrue(Fixture.decode(syn).commonOnly, "so does a SYN with options")
        XCTAssertFalse(Fixture.decode(brokenOption).commonOnly, "a broken option takes the layered decode")
        XCTAssertFalse(Fixture.decode(dns).commonOnly, "a DNS port takes the layered decode")
    }
}
