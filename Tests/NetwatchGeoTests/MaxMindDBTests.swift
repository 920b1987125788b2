import Foundation
import NetwatchDecode
import NetwatchGeo
import NetwatchTestSupport
import NetwatchView
import XCTest

/// The MaxMind DB reader against MaxMind's own python reader (`maxminddb`) on the real test
/// databases: every network's first, middle and last address, and random addresses.
final class MaxMindDBTests: XCTestCase {
    static let databases = [
        "GeoLite2-ASN-Test.mmdb", "GeoLite2-Country-Test.mmdb", "GeoLite2-City-Test.mmdb",
        "MaxMind-DB-test-decoder.mmdb", "MaxMind-DB-test-ipv4-24.mmdb", "MaxMind-DB-test-ipv6-24.mmdb",
        "MaxMind-DB-test-mixed-24.mmdb", "MaxMind-DB-test-nested.mmdb", "bad-data/libmaxminddb-corrupt-search-tree.mmdb",
    ]

    /// Prints the addresses to ask about: for each network python's reader lists, its first,
    /// middle and last address; then random ones.
    static let samples = """
        import maxminddb, sys, random, ipaddress
        r = maxminddb.open_database(sys.argv[1], maxminddb.MODE_FILE)
        rnd = random.Random(7)
        out = set()
        for net, _ in r:
            a = int(net.network_address); b = int(net.broadcast_address)
            for x in (a, (a + b) // 2, b):
                out.add(str(ipaddress.ip_address(x) if net.version == 6 else ipaddress.IPv4Address(x)))
        for _ in range(300):
            out.add(str(ipaddress.IPv4Address(rnd.getrandbits(32))))
            out.add(str(ipaddress.IPv6Address(rnd.getrandbits(128))))
            out.add(str(ipaddress.IPv6Address((0x2001 << 112) | rnd.getrandbits(112))))
        print("\\n".join(sorted(out)))
        """

    /// Compares our answers (JSON lines: ip, prefix_length, record) with python's.
    static let compare = """
        import maxminddb, sys, json
        r = maxminddb.open_database(sys.argv[1], maxminddb.MODE_FILE)
        def plain(v):
            if isinstance(v, (bytes, bytearray)): return "0x" + v.hex()
            if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
            if isinstance(v, list): return [plain(x) for x in v]
            if isinstance(v, float) and v != v or v in (float("inf"), float("-inf")): return None  # JSON has no NaN or infinity
            return v
        n, bad = 0, []
        for line in open(sys.argv[2]):
            ours = json.loads(line)
            try: rec, plen = r.get_with_prefix_len(ours["ip"])
            except ValueError: rec, plen = None, None  # an IPv6 address in an IPv4-only database
            theirs = {"ip": ours["ip"], "prefix_length": plen if rec is not None else None, "record": plain(rec)}
            n += 1
            if ours != theirs: bad.append((ours, theirs))
        for o, t in bad[:5]: print("MISMATCH ours", o, "python", t)
        print("compared", n, "mismatches", len(bad))
        """

    func testLookupsAgreeWithMaxMindsPythonReader() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var total = 0
        for name in Self.databases {
            let path = try TestData.path("geoip/mmdb/" + name)
            let sample = try runPython(Self.samples, [path], modules: ["maxminddb"])
            XCTAssertEqual(sample.status, 0, sample.stderr)
            let addresses = sample.output.split(separator: "\n")
            XCTAssertGreaterThan(addresses.count, 300, name)
            let db = try MaxMindDB(path: path)
            var lines = ""
            for text in addresses {
                let address = try XCTUnwrap(IPAddress(text), String(text))
                let found = try db.find(address)
                let record = try db.record(for: address)
                lines += "{\"ip\": \"\(text)\", \"prefix_length\": \(found.map { String($0.prefixLength) } ?? "null"), \"record\": \(record?.json ?? "null")}\n"
            }
            let ours = dir.appendingPathComponent(name.replacingOccurrences(of: "/", with: "_") + ".jsonl")
            try lines.write(to: ours, atomically: true, encoding: .utf8)
            let result = try runPython(Self.compare, [path, ours.path], modules: ["maxminddb"])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.output.hasSuffix("compared \(addresses.count) mismatches 0\n"), "\(name): \(result.output)")
            total += addresses.count
        }
        XCTAssertGreaterThan(total, 5000)
    }

    func testCountryAndASNFieldsAsTheGeoCommandShowsThem() throws {
        let country = try MaxMindDB(path: TestData.path("geoip/mmdb/GeoLite2-Country-Test.mmdb"))
        let asn = try MaxMindDB(path: TestData.path("geoip/mmdb/GeoLite2-ASN-Test.mmdb"))
        let city = try MaxMindDB(path: TestData.path("geoip/mmdb/GeoLite2-City-Test.mmdb"))
        XCTAssertEqual(country.metadata.databaseType, "GeoLite2-Country")
        XCTAssertEqual(country.metadata.recordSize, 28)
        XCTAssertTrue(country.providesCountry && !country.providesASN && asn.providesASN && city.providesCountry)
        // Answers from the source JSON the test databases were built from.
        XCTAssertEqual(try country.info(for: IPAddress("81.2.69.160")!).country, CountryCode("GB"))
        XCTAssertEqual(try country.info(for: IPAddress("2001:218::1")!).country, CountryCode("JP"))
        XCTAssertEqual(try city.info(for: IPAddress("89.160.20.128")!).country, CountryCode("SE"))
        let google = try asn.info(for: IPAddress("1.0.0.1")!)
        XCTAssertEqual(google.asn, 15169)
        XCTAssertEqual(google.organization, "Google Inc.")
        XCTAssertEqual(try asn.info(for: IPAddress("::ffff:1.0.0.1")!).asn, 15169, "IPv4-mapped addresses are looked up as IPv4")
        XCTAssertNil(try country.record(for: IPAddress("10.0.0.1")!))
    }

    func testBrokenFilesFailCleanly() throws {
        let bad = try MaxMindDB.self.init(path: TestData.path("geoip/mmdb/MaxMind-DB-test-ipv4-24.mmdb"))
        XCTAssertEqual(bad.metadata.ipVersion, 4)
        XCTAssertNil(try bad.find(IPAddress("2001:db8::1")!), "an IPv6 address in an IPv4 database is unknown")
        XCTAssertThrowsError(try MaxMindDB(path: TestData.path("geoip/mmdb/bad-data/invalid-data-record-offset.mmdb"))) { error in
            XCTAssertTrue("\(error)".contains("invalid-data-record-offset.mmdb: metadata: string at byte"), "\(error)")
        }
        XCTAssertThrowsError(try MaxMindDB(path: TestData.path("geoip/dbip-asn-lite-ipv6-sample.csv"))) { error in
            XCTAssertTrue("\(error)".hasSuffix("dbip-asn-lite-ipv6-sample.csv: not a MaxMind DB file (no metadata marker)"), "\(error)")
        }
        XCTAssertThrowsError(try MaxMindDB(path: "/nonexistent/x.mmdb")) { error in
            XCTAssertEqual("\(error)", "cannot open /nonexistent/x.mmdb: No such file or directory")
        }
        // Every truncation and single-byte change of a real file: an error or an answer, never a crash.
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: TestData.path("geoip/mmdb/MaxMind-DB-test-decoder.mmdb"))))
        let probes = ["1.1.1.1", "::1.1.1.3", "::", "255.255.255.255", "ffff::1"].map { IPAddress($0)! }
        var opened = 0
        var failures = 0
        for variant in 0..<(original.count * 2) {
            var bytes = original
            if variant < original.count {
                bytes = Array(original[0..<variant])
            } else {
                let i = variant - original.count
                bytes[i] ^= UInt8(truncatingIfNeeded: 0x5A &+ i)
            }
            guard let db = try? MaxMindDB(bytes: bytes, name: "mutated") else { failures += 1; continue }
            opened += 1
            for p in probes { _ = try? db.record(for: p) }
        }
        XCTAssertGreaterThan(opened, 100)
        XCTAssertGreaterThan(failures, 100)
    }
}
