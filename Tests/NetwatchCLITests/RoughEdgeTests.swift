import Foundation
import NetwatchTestSupport
import XCTest

/// What a new user hit (issue 24): each test failed before its fix.
final class RoughEdgeTests: XCTestCase {
    func netwatch(_ arguments: [String], timeout: TimeInterval = 120) throws -> CommandResult {
        try runCommand(try netwatchBinary(), arguments, timeout: timeout)
    }

    /// Ethernet / IPv4 / ICMP echo request from `src` to `dst`.
    func ping(_ src: [UInt8], _ dst: [UInt8], sequence: UInt8) -> [UInt8] {
        var p: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]
        p += [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0] + src + dst
        p += [8, 0, 0, 0, 0, 1, 0, sequence]
        return p
    }

    /// Item 6: a host that pings itself is one host, its packets counted once.
    func testHostTalkingToItselfCountsOnce() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("self.pcap")
        let local: [UInt8] = [127, 0, 0, 1]
        var packets = (0..<6).map { ping(local, local, sequence: UInt8($0)) }
        packets += [ping([10, 0, 0, 1], [10, 0, 0, 2], sequence: 9)]
        try writePcap(packets, to: file)
        let json = dir.appendingPathComponent("stats.json")
        for flows in [[String](), ["--no-detect"]] {
            let result = try netwatch(["-r", file.path, "-q", "--stats-json", json.path] + flows)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stderr.contains(#/127\.0\.0\.1 +6 packets/#), result.stderr)
            let line = try String(contentsOf: json, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let top = object?["top_ips"] as? [[String: Any]] ?? []
            XCTAssertEqual(top.first { $0["ip"] as? String == "127.0.0.1" }?["packets"] as? Int, 6, line)
            XCTAssertEqual(top.first { $0["ip"] as? String == "10.0.0.1" }?["packets"] as? Int, 1, line)
        }
    }

    /// Item 8: pcapng Simple Packet Blocks carry no time: shown without one, left out of the duration.
    func testPacketsWithoutTimeShowNoneAndDoNotStretchTheDuration() throws {
        let file = try TestData.path("pcap/format/pcapng-testgen_be_test100.pcapng")
        let result = try netwatch(["-r", file])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.output.split(separator: "\n")
        XCTAssertFalse(result.output.contains("[00:00:00.000]"), result.output)
        XCTAssertTrue(lines.first?.hasPrefix("[            ] ") ?? false, result.output)
        let duration = try XCTUnwrap(result.stderr.firstMatch(of: #/Duration: ([0-9.]+) s/#)?.1)
        XCTAssertLessThan(Double(duration) ?? .infinity, 60, result.stderr)
        let json = try netwatch(["-r", file, "--json"]).output.split(separator: "\n")
        let first = try JSONSerialization.jsonObject(with: Data(json[0].utf8)) as? [String: Any]
        XCTAssertNil(first?["timestamp"], String(json[0]))
        let second = try JSONSerialization.jsonObject(with: Data(json[1].utf8)) as? [String: Any]
        XCTAssertEqual((second?["timestamp"] as? String)?.prefix(4), "2012")
    }

    /// Item 9: live, "Duration" is how long netwatch ran, not first-to-last packet.
    func testLiveDurationIsTheRunTime() throws {
        guard isRoot else { throw XCTSkip("live capture on lo needs root") }
        let result = try netwatch(["-i", "lo", "-q", "--stats-interval", "0"], timeout: 3)
        let duration = try XCTUnwrap(result.stderr.firstMatch(of: #/Duration: ([0-9.]+) s/#)?.1, result.stderr)
        XCTAssertGreaterThan(Double(duration) ?? 0, 1.8, result.stderr)
        XCTAssertLessThan(Double(duration) ?? 99, 6, result.stderr)
    }

    func alerts(_ capture: String) throws -> (lines: [String], json: [[String: Any]]) {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("alerts.json")
        let result = try netwatch(["-r", try TestData.path(capture), "--alerts-only", "--json-alerts", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        return (result.output.split(separator: "\n").map(String.init), json)
    }

    /// Item 2: a summary says the incident's totals, in text and JSON alike.
    func testSummariesSayTheTotals() throws {
        let flood = try alerts("pcap/attack/stopddos_synflood_spoofed.pcap")
        let summary = try XCTUnwrap(flood.json.first { $0["event_type"] as? String == "alert_summary" })
        let syns = try XCTUnwrap(summary["syns"] as? Int)
        XCTAssertEqual(syns, 37040)
        XCTAssertLessThanOrEqual(try XCTUnwrap(summary["distinct_sources"] as? Int), syns, "an estimate never exceeds its count")
        XCTAssertEqual(summary["half_open"] as? Int, syns - (summary["completed"] as? Int ?? 0))
        let text = try XCTUnwrap(flood.lines.first { $0.contains("SUMMARY") })
        XCTAssertTrue(text.contains("37040 SYNs"), text)
        XCTAssertTrue(text.contains("0 of 37040 completed"), text)
        XCTAssertFalse(text.contains("0 of 600"), text)

        let scan = try alerts("pcap/attack/cs_nmap_synscan.pcapng")
        let scanSummary = try XCTUnwrap(scan.json.first { $0["event_type"] as? String == "alert_summary" })
        XCTAssertEqual(scanSummary["ports_probed"] as? Int, 1000)
        XCTAssertNil(scanSummary["ports_failed"], "a figure of the alert's moment is not a total")
        let scanText = try XCTUnwrap(scan.lines.first { $0.contains("SUMMARY") })
        XCTAssertTrue(scanText.contains("probed 1000 ports on 1 host"), scanText)
        XCTAssertFalse(scanText.contains("probed 22 ports"), scanText)
    }

    /// Item 3: a one-off alert is one line: no summary that only repeats it.
    func testOneOffAlertsAreOneLineEach() throws {
        let irc = try alerts("pcap/mixed/sgr_mariti_skypeirc.pcap")
        XCTAssertEqual(irc.lines.count, 7, irc.lines.joined(separator: "\n"))
        XCTAssertTrue(irc.json.allSatisfy { $0["event_type"] as? String == "alert" })
    }
}
