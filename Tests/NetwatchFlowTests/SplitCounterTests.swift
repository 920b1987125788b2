import NetwatchDecode
import NetwatchStats
import XCTest

/// IPv4 hosts and pairs are counted in 4- and 8-byte form, IPv6 ones apart; read back, the two
/// sides are one counter: the same counts, and top lists in the one report order.
final class SplitCounterTests: XCTestCase {
    func testBothSidesReadAsOneCounter() {
        var rng = SystemRandomNumberGenerator()
        let counter = SplitCounter<IPAddress>(capacity: 4096)
        var model: [IPAddress: (packets: UInt64, bytes: UInt64)] = [:]
        let v4 = (0..<300).map { IPAddress(ipv4: 0xC0A8_0000 | UInt32($0)) }
        let v6 = (0..<300).map { IPAddress(ipv6High: 0x2001_0DB8_0000_0000, low: UInt64($0)) }
        // The IPv4-mapped form of an IPv4 host is an IPv6 key: it stays apart.
        let mapped = IPAddress(ipv6High: 0, low: 0xFFFF_C0A8_0000)
        for _ in 0..<20_000 {
            // Few distinct counts, so ties are common and the key order decides them,
            // IPv4 before IPv6.
            let key = Bool.random(using: &rng) ? v4.randomElement(using: &rng)! : Int.random(in: 0..<50, using: &rng) == 0 ? mapped : v6.randomElement(using: &rng)!
            let packets = UInt64.random(in: 1...2, using: &rng)
            counter.add(key, packets: packets, bytes: packets * 60)
            model[key, default: (0, 0)].packets += packets
            model[key, default: (0, 0)].bytes += packets * 60
        }
        XCTAssertEqual(counter.overflowed, 0)
        XCTAssertEqual(counter.distinct, model.count)
        XCTAssertGreaterThan(counter.compact.distinct, 250)
        XCTAssertGreaterThan(counter.full.distinct, 250)
        for (key, counts) in model {
            XCTAssertEqual(counter.count(key)?.packets, counts.packets, "\(key)")
            XCTAssertEqual(counter.count(key)?.bytes, counts.bytes, "\(key)")
        }
        XCTAssertNil(counter.count(IPAddress(ipv4: 0x0808_0808)))
        let sorted = model.sorted {
            ($0.value.packets, $0.value.bytes) != ($1.value.packets, $1.value.bytes) ? ($0.value.packets, $0.value.bytes) > ($1.value.packets, $1.value.bytes) : $0.key < $1.key
        }
        for n in [1, 10, 64, 65, 700] {
            XCTAssertEqual(counter.top(n).map(\.key), sorted.prefix(n).map(\.key), "top(\(n))")
        }
        XCTAssertEqual(Set(counter.entries.map(\.key)), Set(model.keys))
    }

    /// A pair of IPv4 hosts in one word keeps the pair's order and its hosts.
    func testCompactPairsKeepOrderAndHosts() {
        var rng = SystemRandomNumberGenerator()
        let pairs = (0..<500).map { _ in
            TrafficStatistics.HostPair(a: IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &rng) >> UInt32.random(in: 0...31, using: &rng)),
                                       b: IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &rng)))
        }
        for p in pairs {
            let c = try! XCTUnwrap(p.compact)
            XCTAssertEqual(TrafficStatistics.HostPair(compact: c), p)
        }
        for (x, y) in zip(pairs, pairs.shuffled()) {
            XCTAssertEqual(x < y, x.compact! < y.compact!, "\(x.a)-\(x.b) vs \(y.a)-\(y.b)")
        }
        let v6 = IPAddress(ipv6High: 0x2001_0DB8_0000_0000, low: 1)
        XCTAssertNil(TrafficStatistics.HostPair(a: IPAddress(ipv4: 1), b: v6).compact)
    }
}
