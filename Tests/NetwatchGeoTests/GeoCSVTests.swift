import Foundation
import NetwatchDecode
import NetwatchGeo
import NetwatchTestSupport
import XCTest

/// DB-IP Lite CSV tables: the full country files, the ASN sample, agreement with an .mmdb of
/// the same rows, and what a malformed line gets.
final class GeoCSVTests: XCTestCase {
    func testFullCountryTablesAnswerEveryRow() throws {
        let v4 = try TestData.path("geoip/dbip-country-lite-ipv4.csv")
        let v6 = try TestData.path("geoip/dbip-country-lite-ipv6.csv")
        let table = try GeoCSVTable(kind: .country, paths: [v4, v6])
        XCTAssertEqual(table.rows, 355_800 + 345_868)
        // Each row's first, middle and last address get the row's country (every 37th row).
        var checked = 0
        for path in [v4, v6] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for (n, line) in text.split(separator: "\n").enumerated() where n % 37 == 0 {
                let f = line.split(separator: ",")
                let start = try XCTUnwrap(IPAddress(f[0]))
                let end = try XCTUnwrap(IPAddress(f[1]))
                let want = CountryCode(f[2])
                for a in [start, end, middle(start, end)] {
                    XCTAssertEqual(table.lookup(a).country, want, "\(path):\(n + 1) \(a)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 50_000)
        XCTAssertNil(table.lookup(IPAddress("10.1.2.3")!).country, "private addresses are in no country")
        XCTAssertNil(table.lookup(IPAddress("fe80::1")!).country)
        XCTAssertEqual(table.lookup(IPAddress("::ffff:1.0.0.1")!).country, CountryCode("AU"))
    }

    func middle(_ a: IPAddress, _ b: IPAddress) -> IPAddress {
        if !a.isIPv6 { return IPAddress(ipv4: UInt32((UInt64(a.ipv4) + UInt64(b.ipv4)) / 2)) }
        let x = UInt128(a.high) << 64 | UInt128(a.low), y = UInt128(b.high) << 64 | UInt128(b.low)
        let m = x / 2 + y / 2 + (x & y & 1)
        return IPAddress(ipv6High: UInt64(m >> 64), low: UInt64(truncatingIfNeeded: m))
    }

    func testASNSampleWithQuotedOrganisations() throws {
        let table = try GeoCSVTable(kind: .asn, paths: [TestData.path("geoip/dbip-asn-lite-ipv6-sample.csv")])
        XCTAssertEqual(table.rows, 164)
        let kddi = table.lookup(IPAddress("2001:200:600::42")!)
        XCTAssertEqual(kddi.asn, 7667)
        XCTAssertEqual(kddi.organization, "KDDI R&D Laboratories, INC.")
        XCTAssertEqual(table.lookup(IPAddress("2001:4:112::1")!).organization, "DNS-OARC")
        XCTAssertNil(table.lookup(IPAddress("1.1.1.1")!).asn)
    }

    /// The same DB-IP rows as CSV and as an .mmdb written by a third-party writer (python
    /// mmdb-writer): both readers answer alike, and MaxMind's reader agrees with ours.
    func testCSVAndMMDBOfTheSameRowsAgree() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            import sys, random, netaddr
            from mmdb_writer import MMDBWriter
            rnd = random.Random(11)
            rows = []
            for path in sys.argv[1:3]:
                lines = open(path).read().splitlines()
                rows += [l for l in lines if rnd.random() < 0.02]
            asn_rows = open(sys.argv[3]).read().splitlines()
            w = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="DBIP-Country-Lite", languages=["en"], description="DB-IP rows")
            for l in rows:
                s, e, c = l.split(",")
                w.insert_network(netaddr.IPSet(netaddr.IPRange(s, e)), {"country": {"iso_code": c}})
            w.to_db_file(sys.argv[4] + "/dbip-country-sample.mmdb")
            open(sys.argv[4] + "/dbip-country-sample.csv", "w").write("\\n".join(rows) + "\\n")
            import csv
            w = MMDBWriter(ip_version=6, database_type="DBIP-ASN-Lite", languages=["en"], description="DB-IP ASN rows")
            for r in csv.reader(asn_rows):
                w.insert_network(netaddr.IPSet(netaddr.IPRange(r[0], r[1])), {"autonomous_system_number": int(r[2]), "autonomous_system_organization": r[3]})
            w.to_db_file(sys.argv[4] + "/dbip-asn-sample.mmdb")
            print(len(rows))
            """
        let made = try runPython(script, [
            TestData.path("geoip/dbip-country-lite-ipv4.csv"), TestData.path("geoip/dbip-country-lite-ipv6.csv"),
            TestData.path("geoip/dbip-asn-lite-ipv6-sample.csv"), dir.path,
        ], modules: ["mmdb_writer", "netaddr"], timeout: 600)
        XCTAssertEqual(made.status, 0, made.stderr)
        let csv = try GeoCSVTable(kind: .country, paths: [dir.appendingPathComponent("dbip-country-sample.csv").path])
        let mmdb = try MaxMindDB(path: dir.appendingPathComponent("dbip-country-sample.mmdb").path)
        let asnCSV = try GeoCSVTable(kind: .asn, paths: [TestData.path("geoip/dbip-asn-lite-ipv6-sample.csv")])
        let asnMMDB = try MaxMindDB(path: dir.appendingPathComponent("dbip-asn-sample.mmdb").path)
        XCTAssertGreaterThan(csv.rows, 10_000)
        var rng = SystemRandomNumberGenerator()
        var covered = 0
        for i in 0..<200_000 {
            let a: IPAddress = i % 2 == 0
                ? IPAddress(ipv4: rng.next())
                : IPAddress(ipv6High: 0x2000_0000_0000_0000 | (rng.next() >> 4), low: rng.next())
            let fromCSV = csv.lookup(a)
            let fromMMDB = try mmdb.info(for: a)
            XCTAssertEqual(fromCSV, fromMMDB, "\(a)")
            if fromCSV.country != nil { covered += 1 }
        }
        XCTAssertGreaterThan(covered, 1000)
        let text = try String(contentsOfFile: TestData.path("geoip/dbip-asn-lite-ipv6-sample.csv"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let start = IPAddress(line.split(separator: ",")[0])!
            XCTAssertEqual(asnCSV.lookup(start), try asnMMDB.info(for: start), String(line))
        }
    }

    func testMalformedLinesAreNamedByFileAndLine() throws {
        let cases: [(String, String)] = [
            ("1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.255\n", "t.csv:2: expected 3 fields (start,end,country), found 2: '1.0.1.0,1.0.3.255'"),
            ("1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.256,CN\n", "t.csv:2: end '1.0.3.256' is not an IP address"),
            ("1.0.4.0,1.0.3.255,CN\n", "t.csv:1: range ends ('1.0.3.255') before it starts ('1.0.4.0')"),
            ("1.0.0.0,2001::,CN\n", "t.csv:1: end '2001::' is not of the same IP version as the start"),
            ("\n\n1.0.0.0,1.0.0.255,Australia\n", "t.csv:3: country 'Australia' is not a two-letter code"),
            ("1.0.0.0,1.0.0.255,A\u{1B}\n", "t.csv:1: country 'A\\x1b' is not a two-letter code"),
            ("start_ip,end_ip,country\nbanana,1.0.0.255,AU\n", "t.csv:2: start 'banana' is not an IP address"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try GeoCSVTable(kind: .country, text: text, name: "t.csv")) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
        XCTAssertThrowsError(try GeoCSVTable(kind: .asn, text: "2001::,2001::ff,AS12,x\n", name: "a.csv")) { error in
            XCTAssertEqual("\(error)", "a.csv:1: ASN 'AS12' is not a number")
        }
        XCTAssertThrowsError(try GeoCSVTable(kind: .asn, text: "2001::,2001::ff,12,\"Open, quote\n", name: "a.csv")) { error in
            XCTAssertEqual("\(error)", "a.csv:1: unterminated quote")
        }
        XCTAssertThrowsError(try GeoCSVTable(kind: .country, paths: ["/nonexistent/dbip-country-lite.csv"])) { error in
            XCTAssertEqual("\(error)", "cannot open /nonexistent/dbip-country-lite.csv: No such file or directory")
        }
        // A header line, CRLF line ends and comments are fine.
        let ok = try GeoCSVTable(kind: .country, text: "start_ip,end_ip,country\r\n# note\r\n1.0.0.0,1.0.0.255,au\r\n", name: "ok.csv")
        XCTAssertEqual(ok.lookup(IPAddress("1.0.0.7")!).country, CountryCode("AU"))
    }
}
