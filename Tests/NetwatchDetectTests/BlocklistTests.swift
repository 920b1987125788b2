import Foundation
import NetwatchDecode
@testable import NetwatchDetect
import NetwatchTestSupport
import XCTest

final class BlocklistTests: XCTestCase {
    /// Entries per list, as SOURCES.md states them.
    static let expected: [(String, Int)] = [
        ("firehol_level1.netset", 2744), ("firehol_spamhaus_drop.netset", 926), ("firehol_dshield.netset", 18),
        ("firehol_dshield_top_1000.ipset", 1000), ("firehol_feodo_empty.ipset", 0), ("spamhaus_drop_2023-02-20.txt", 936),
        ("spamhaus_dropv6_2024-02-25_stripped.txt", 51), ("et_compromised-ips_2025-06-24.txt", 782),
    ]

    func testSharedListsParseWithTheStatedCounts() throws {
        for (name, count) in Self.expected {
            let list = try Blocklist(paths: [try TestData.path("blocklists/\(name)")])
            XCTAssertEqual(list.entries.count, count, name)
            XCTAssertEqual(list.problems, [], name)
        }
    }

    /// Lookups agree with a longest-prefix match over one set per prefix length, on 100k
    /// addresses: uniform ones, and ones inside, at the edges of and just outside listed networks.
    func testLookupsAgreeWithBruteForce() throws {
        let paths = try Self.expected.map { try TestData.path("blocklists/\($0.0)") }
        let list = try Blocklist(paths: paths)
        var v4: [[UInt32: Int]] = Array(repeating: [:], count: 33)
        var v6: [[UInt128: Int]] = Array(repeating: [:], count: 129)
        var blocks: [Blocklist.Block] = []
        for (i, e) in list.entries.enumerated() {
            let block = try XCTUnwrap(Blocklist.parseNetwork(e.network))
            blocks.append(block)
            let bits = e.network.split(separator: "/").last.flatMap { Int($0) }
            switch block {
            case .v4(let s, _): if v4[bits ?? 32][s] == nil { v4[bits ?? 32][s] = i }
            case .v6(let s, _): if v6[bits ?? 128][s] == nil { v6[bits ?? 128][s] = i }
            }
        }
        func brute(_ a: IPAddress) -> Int? {
            if a.isIPv6 {
                let value = UInt128(a.high) << 64 | UInt128(a.low)
                for bits in stride(from: 128, through: 0, by: -1) {
                    let mask: UInt128 = bits == 0 ? 0 : ~((bits == 128 ? 0 : (UInt128(1) << (128 - bits)) - 1))
                    if let i = v6[bits][value & mask] { return i }
                }
                return nil
            }
            for bits in stride(from: 32, through: 0, by: -1) {
                let mask: UInt32 = bits == 0 ? 0 : ~((bits == 32 ? 0 : (UInt32(1) << (32 - bits)) - 1))
                if let i = v4[bits][a.ipv4 & mask] { return i }
            }
            return nil
        }
        var generator = SystemRandomNumberGenerator()
        var listed = 0
        for n in 0..<100_000 {
            let address: IPAddress
            switch n % 4 {
            case 0:
                address = IPAddress(ipv4: generator.next())
            case 1:
                address = IPAddress(ipv6High: 0x2000_0000_0000_0000 | generator.next() >> 3, low: generator.next())
            default:
                switch blocks.randomElement(using: &generator)! {
                case .v4(let s, let e):
                    let picks = [s, e, s &- 1, e &+ 1, s &+ UInt32.random(in: 0...(e - s), using: &generator)]
                    address = IPAddress(ipv4: picks.randomElement(using: &generator)!)
                case .v6(let s, let e):
                    let picks = [s, e, s &- 1, e &+ 1, s | (UInt128(generator.next() as UInt64) & (e - s))]
                    let v = picks.randomElement(using: &generator)!
                    address = IPAddress(ipv6High: UInt64(truncatingIfNeeded: v >> 64), low: UInt64(truncatingIfNeeded: v))
                }
            }
            let expected = brute(address)
            let got = list.lookup(address)
            if expected != nil { listed += 1 }
            XCTAssertEqual(got?.network, expected.map { list.entries[$0].network }, "\(address)")
            XCTAssertEqual(list.contains(address), expected != nil, "\(address)")
        }
        XCTAssertGreaterThan(listed, 20_000, "the sample should hit listed networks often")
    }

    func testBadLinesAreNamedAndSkippedAndAMissingFileIsAnError() throws {
        var list = Blocklist()
        list.load(text: "# header\n10.0.0.0/8 ; SBL1\n\n300.1.2.3\n10.1.2.3/33\nfe80::/10\nhello\u{1b}[31m\n192.168.1.1 # home\n", name: "my.list")
        XCTAssertEqual(list.entries.map(\.network), ["10.0.0.0/8", "fe80::/10", "192.168.1.1"])
        XCTAssertEqual(list.problems, [
            "my.list:4: not an IP address or CIDR network: '300.1.2.3'",
            "my.list:5: not an IP address or CIDR network: '10.1.2.3/33'",
            "my.list:7: not an IP address or CIDR network: 'hello\\x1b[31m'",
        ])
        XCTAssertEqual(list.lookup(IPAddress("10.200.0.1")!)?.source, "my.list:2 (10.0.0.0/8 ; SBL1)")
        XCTAssertNil(list.lookup(IPAddress("11.0.0.1")!))
        XCTAssertThrowsError(try Blocklist(paths: ["/nonexistent/list.txt"])) { error in
            XCTAssertEqual((error as? BlocklistError)?.message, "cannot read block list /nonexistent/list.txt: No such file or directory")
        }
    }
}
