import Foundation
import NetwatchTestSupport
import XCTest

/// Every shared capture read with `--alerts-only`: the attack captures give the alerts kept in
/// Golden/alerts (JSON lines, TZ=UTC), every other capture none beyond its own golden file.
/// `NETWATCH_UPDATE_GOLDEN=1 swift test --filter AlertGoldenTests` rewrites the files; review the diff.
final class AlertGoldenTests: XCTestCase {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/alerts")

    func testEveryCaptureGivesItsGoldenAlerts() throws {
        let netwatch = try netwatchBinary()
        let update = ProcessInfo.processInfo.environment["NETWATCH_UPDATE_GOLDEN"] == "1"
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = TestData.root.appendingPathComponent("pcap").path + "/"
        var attacksWithAlerts = 0
        for capture in try TestData.allCaptures() {
            let name = String(capture.dropFirst(root.count)).replacingOccurrences(of: "/", with: "_") + ".jsonl"
            let json = dir.appendingPathComponent(name)
            let r = try runCommand(netwatch, ["-r", capture, "--alerts-only", "--json-alerts", json.path])
            let got = (try? String(contentsOf: json, encoding: .utf8)) ?? ""
            // The terminal shows exactly the JSON's alerts, one line each.
            let jsonLines = got.split(separator: "\n")
            XCTAssertEqual(r.output.split(separator: "\n").count, jsonLines.count, "\(name): terminal and JSON disagree")
            let golden = Self.goldenDirectory.appendingPathComponent(name)
            if update {
                if got.isEmpty { try? FileManager.default.removeItem(at: golden) } else { try got.write(to: golden, atomically: true, encoding: .utf8) }
                continue
            }
            let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? ""
            XCTAssertEqual(got, expected, "\(name): alerts differ from Golden/alerts/\(name)")
            if capture.contains("/attack/") && got.contains("\"event_type\":\"alert\"") { attacksWithAlerts += 1 }
        }
        if !update { XCTAssertGreaterThanOrEqual(attacksWithAlerts, 8, "every attack capture but the DNS tunnel raises an alert") }
    }

    /// What each attack capture must give, in the words a reader checks: one alert, the right
    /// signature, attacker and victim.
    func testAttackCapturesNameAttackerAndVictim() throws {
        let netwatch = try netwatchBinary()
        let expected: [(String, String, String?, String?)] = [
            ("attack/cs_nmap_synscan.pcapng", "TCP SYN port scan", "172.16.0.8", "64.13.134.52"),
            ("attack/esnet_masscan_tcp_0_1000.pcap", "TCP SYN port scan", "172.31.15.102", "198.124.152.15"),
            ("attack/esnet_masscan_udp_0_1000.pcap", "UDP port scan", "172.31.15.102", "198.124.152.15"),
            ("attack/sgr_favilli_icmp_pingsweep.pcap", "ping sweep", "10.0.0.128", nil),
            ("attack/sgr_favilli_arpscan.pcap", "ping sweep", "10.0.0.128", nil),
            ("attack/sgr_favilli_arpspoofing.pcap", "ARP spoofing", nil, nil),
            ("attack/cs_arppoison.pcapng", "ARP spoofing", nil, nil),
            ("attack/stopddos_synflood_spoofed.pcap", "SYN flood", nil, "10.10.10.10"),
        ]
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (file, signature, attacker, victim) in expected {
            let json = dir.appendingPathComponent(UUID().uuidString)
            try runCommand(netwatch, ["-r", try TestData.path("pcap/" + file), "--alerts-only", "--json-alerts", json.path])
            let alerts = try jsonLines(json).filter { $0["event_type"] as? String == "alert" }
            XCTAssertEqual(alerts.count, 1, "\(file): \(alerts)")
            guard let a = alerts.first else { continue }
            XCTAssertEqual((a["alert"] as? [String: Any])?["signature"] as? String, signature, file)
            if let attacker { XCTAssertEqual(a["src_ip"] as? String, attacker, file) }
            if let victim { XCTAssertEqual(a["dest_ip"] as? String, victim, file) }
        }
        // The spoofed flood: about 37,623 sources (HyperLogLog, within 5%).
        let json = dir.appendingPathComponent("flood")
        try runCommand(netwatch, ["-r", try TestData.path("pcap/attack/stopddos_synflood_spoofed.pcap"), "--alerts-only", "--json-alerts", json.path])
        let summary = try XCTUnwrap(try jsonLines(json).first { $0["event_type"] as? String == "alert_summary" })
        let sources = try XCTUnwrap(summary["distinct_sources"] as? Int)
        XCTAssertEqual(Double(sources), 37_623, accuracy: 37_623 * 0.05)
    }

    /// Alerts that fall in the same second come in the same order, and the same ones pass the
    /// rate limit, run after run (the detectors' dictionaries are hashed with a key per
    /// process): a block list of every address opens dozens of incidents at once, and the run's
    /// end closes them all at one time.
    func testSimultaneousAlertsComeInOneOrder() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("everything.netset")
        try "0.0.0.0/0\n::/0\n".write(to: list, atomically: true, encoding: .utf8)
        let capture = try TestData.path("pcap/mixed/sgr_colella_instagram.pcap")
        var outputs: [String] = []
        for run in 0..<4 {
            let json = dir.appendingPathComponent("run\(run).jsonl")
            try runCommand(netwatch, ["-r", capture, "--alerts-only", "--blocklist", list.path, "--json-alerts", json.path])
            outputs.append((try? String(contentsOf: json, encoding: .utf8)) ?? "")
        }
        let summaries = outputs[0].components(separatedBy: "\"alert_summary\"").count - 1
        XCTAssertGreaterThan(summaries, 10, "many incidents end together")
        for run in 1..<4 { XCTAssertEqual(outputs[run], outputs[0], "run \(run) differs from run 0") }
    }
}

func jsonLines(_ url: URL) throws -> [[String: Any]] {
    let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    return try text.split(separator: "\n").map { line in
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }
}
