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
        // Seven attempts on watched ports. Five were tried again from the same port after the
        // RST, each try a connection of its own (Zeek's connection reuse): those five have a
        // summary saying how long the trying went on; the two tried once have none.
        XCTAssertEqual(irc.json.filter { $0["event_type"] as? String == "alert" }.count, 7, irc.lines.joined(separator: "\n"))
        let summaries = irc.json.filter { $0["event_type"] as? String == "alert_summary" }
        XCTAssertEqual(summaries.count, 5, irc.lines.joined(separator: "\n"))
        XCTAssertTrue(summaries.allSatisfy { ($0["first_seen"] as? String ?? "") < ($0["last_seen"] as? String ?? "") })
        XCTAssertEqual(irc.lines.count, 12)
        // Each summary counts the connections tried, as tshark counts the source's SYNs to the
        // port (a SYN without ACK opens each one).
        for s in summaries {
            let source = s["src_ip"] as? String ?? "", port = s["dest_port"] as? Int ?? 0
            let attempts = s["attempts"] as? Int ?? 0
            XCTAssertGreaterThanOrEqual(attempts, 2, "\(s)")
            XCTAssertTrue((s["reason"] as? String ?? "").hasSuffix(", \(attempts) attempts)"), "\(s)")
            let syns = try runTool("tshark", ["-n", "-r", try TestData.path("pcap/mixed/sgr_mariti_skypeirc.pcap"), "-Y",
                                              "ip.src == \(source) && tcp.dstport == \(port) && tcp.flags.syn == 1 && tcp.flags.ack == 0",
                                              "-T", "fields", "-e", "frame.number"])
            XCTAssertEqual(attempts, syns.output.split(separator: "\n").count, "\(s)")
        }
    }

    /// Item 10: a mistyped command is named as one, not compiled as a filter; `help` with an
    /// unknown command is an error.
    func testMistypedCommandsAreSaidSo() throws {
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let typo = try netwatch(["conections", "-r", file])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("did you mean \"connections\""), typo.stderr)
        XCTAssertFalse(typo.stderr.contains("invalid filter"), typo.stderr)
        let help = try netwatch(["help", "foo"])
        XCTAssertEqual(help.status, 2)
        XCTAssertTrue(help.stderr.contains("no command \"foo\""), help.stderr)
        XCTAssertEqual(try netwatch(["help", "connections"]).status, 0)
        // Filters still start with their own words, and a filter typo stays a filter error.
        XCTAssertEqual(try netwatch(["-r", file, "-q", "tcp", "port", "80"]).status, 0)
        XCTAssertEqual(try netwatch(["net", "10.0.0.0/8", "-r", file, "-q"]).status, 0)
        XCTAssertTrue(try netwatch(["tpc", "-r", file, "-q"]).stderr.contains("invalid filter \"tpc\""))
    }

    /// Item 11: --json is standard output everywhere; connections writes a file with --conn-json.
    func testConnectionsJSONGoesToStandardOutput() throws {
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let result = try netwatch(["connections", "-r", file, "--json", "--no-detect"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try result.output.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        XCTAssertGreaterThan(records.count, 10)
        XCTAssertTrue(records.contains { $0["conn_state"] as? String == "SF" })
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let conn = dir.appendingPathComponent("conn.json")
        let toFile = try netwatch(["connections", "-r", file, "-q", "--conn-json", conn.path])
        XCTAssertEqual(toFile.status, 0, toFile.stderr)
        // The same records (uids are salted per process, so they are left out of the comparison).
        func withoutUIDs(_ text: String) -> String { text.replacing(#/"uid":"[^"]*"/#, with: "") }
        XCTAssertEqual(withoutUIDs(try String(contentsOf: conn, encoding: .utf8)), withoutUIDs(result.output))
    }

    /// Item 12: connections runs the detectors, as every capture does.
    func testConnectionsRaisesAlerts() throws {
        let file = try TestData.path("pcap/attack/cs_nmap_synscan.pcapng")
        let result = try netwatch(["connections", "-r", file, "-q"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("TCP SYN port scan"), result.stderr)
        let off = try netwatch(["connections", "-r", file, "-q", "--no-detect"])
        XCTAssertFalse(off.stderr.contains("port scan"), off.stderr)
        XCTAssertEqual(try netwatch(["connections", "-r", file, "-q", "--no-detect", "--blocklist", file]).status, 64)
    }

    /// Item 13: the small traps.
    func testSmallCommandLineTraps() throws {
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let alerts = dir.appendingPathComponent("alerts.json")
        let noFlows = try netwatch(["-r", file, "-q", "--no-flows", "--json-alerts", alerts.path])
        XCTAssertNotEqual(noFlows.status, 0)
        XCTAssertTrue(noFlows.stderr.contains("--json-alerts needs the detectors"), noFlows.stderr)
        let negative = try netwatch(["-r", file, "-c", "-5"])
        XCTAssertTrue(negative.stderr.contains("-c needs a positive count"), negative.stderr)
        XCTAssertTrue(try netwatch(["capture", "--help"]).output.contains("1024 or more"))
        let missing = try netwatch(["config", "--check", "nosuch.yaml"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "netwatch: nosuch.yaml: cannot read the config file: No such file or directory\n")
        // --stats-json appends, as the alert files do.
        let stats = dir.appendingPathComponent("stats.json")
        for _ in 0..<2 { _ = try netwatch(["-r", file, "-q", "--stats-json", stats.path]) }
        XCTAssertEqual(try String(contentsOf: stats, encoding: .utf8).split(separator: "\n").count, 2)
        // Extended help fits 80 columns without ragged breaks: no line of prose is cut short
        // by a hard line break in the text.
        for command in ["capture", "connections", "sockets", "timeline", "geo"] {
            let help = try runCommand(try netwatchBinary(), [command, "--help"], environment: ["COLUMNS": "80"]).output
            let overview = help.components(separatedBy: "USAGE:")[0].split(separator: "\n")
            for (i, line) in overview.enumerated() where i + 1 < overview.count && !line.hasPrefix(" ") && !line.hasSuffix(":") {
                let next = overview[i + 1]
                XCTAssertFalse(line.count < 40 && !line.hasSuffix(".") && !next.hasPrefix(" ") && !next.hasSuffix(":"), "\(command): ragged line \"\(line)\"")
            }
            XCTAssertTrue(overview.allSatisfy { $0.count <= 80 }, "\(command): \(overview.filter { $0.count > 80 })")
        }
    }

    /// Item 7: config --check takes every start-up step that can fail.
    func testConfigCheckLoadsBlockListsAndOutputs() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("netwatch.yaml")
        try "blocklists:\n  - missing.netset\n".write(to: config, atomically: true, encoding: .utf8)
        let check = try netwatch(["config", "--check", config.path])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stderr.contains("cannot read block list \(dir.path)/missing.netset"), check.stderr)
        XCTAssertFalse(check.output.contains("fine"), check.output)
        try "outputs:\n  log: /nonexistent-folder/alerts.log\n".write(to: config, atomically: true, encoding: .utf8)
        let output = try netwatch(["config", "--check", config.path])
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stderr.contains("outputs.log: cannot write /nonexistent-folder/alerts.log"), output.stderr)
        try "1.2.3.4\n".write(to: dir.appendingPathComponent("ok.netset"), atomically: true, encoding: .utf8)
        try "blocklists:\n  - ok.netset\n".write(to: config, atomically: true, encoding: .utf8)
        let fine = try netwatch(["config", "--check", config.path])
        XCTAssertEqual(fine.status, 0, fine.stderr)
        XCTAssertTrue(fine.output.contains("fine"), fine.output)
    }

    /// Item 14: a link type netwatch does not decode is named, and counted apart from malformed packets.
    func testUndecodedLinkTypeIsNamedNotMalformed() throws {
        // Linux USB (189): no shared capture has a link type netwatch does not decode.
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("usb.pcap")
        try writePcap(Array(repeating: [UInt8](repeating: 0x40, count: 64), count: 4), linkType: 189, to: url)
        let file = url.path
        let result = try netwatch(["-r", file])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines.allSatisfy { $0.contains("[link type USB_LINUX (189) not decoded]") }, result.output)
        XCTAssertFalse(result.output.contains("unsupported"), result.output)
        XCTAssertTrue(result.stderr.contains("4 not decoded (link type USB_LINUX (189))"), result.stderr)
        XCTAssertFalse(result.stderr.contains("malformed ("), result.stderr)
        XCTAssertTrue(result.stderr.contains("Malformed: 0"), result.stderr)
        let json = try netwatch(["-r", file, "--json"]).output.split(separator: "\n").first.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(object?["not_decoded"] as? String, "link type USB_LINUX (189)")
        XCTAssertEqual(object?["link_type"] as? String, "USB_LINUX")
        XCTAssertNil(object?["error"])
    }

    /// Item 1: DNS over TCP is framed per stream. Oracle: tshark's dns.id, dns.qry.name and
    /// answer count for every DNS-over-TCP message of every shared capture that has one; a
    /// segment tshark does not call DNS carries no DNS header in netwatch either.
    func testDNSOverTCPMatchesTshark() throws {
        var compared = 0
        for path in try TestData.allCaptures() where !path.contains("/malformed/") {
            // tcpdump finds the captures with TCP on a DNS port quickly; tshark then dissects those.
            let ports = try runTool("tcpdump", ["-nn", "-c", "1", "-r", path, "tcp port 53 or tcp port 5353 or tcp port 5355"])
            guard !ports.output.isEmpty else { continue }
            let (fields, status) = try runTool("tshark", ["-n", "-r", path, "-Y", "tcp && dns", "-T", "fields", "-E", "separator=|",
                                                          "-e", "frame.number", "-e", "dns.id", "-e", "dns.qry.name", "-e", "dns.count.answers"])
            guard status == 0, !fields.isEmpty else { continue }
            var expected: [Int: (id: Int, name: String, answers: Int)] = [:]
            for line in fields.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard f.count >= 4, let frame = Int(f[0]), let id = Int(f[1].dropFirst(2), radix: 16) else { continue }
                expected[frame] = (id, f[2].split(separator: ",").first.map(String.init) ?? "", Int(f[3].split(separator: ",").first ?? "") ?? 0)
            }
            let json = try netwatch(["-r", path, "--json", "--no-flows"]).output
            let name = URL(fileURLWithPath: path).lastPathComponent
            for line in json.split(separator: "\n") {
                guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["proto"] as? String == "TCP",
                      let number = o["pkt_num"] as? Int else { continue }
                let dns = o["dns"] as? [String: Any]
                guard let e = expected[number] else {
                    XCTAssertTrue(dns == nil || dns?["continuation"] as? Bool == true, "\(name) #\(number): a DNS header where tshark sees none: \(line)")
                    continue
                }
                XCTAssertEqual(dns?["id"] as? Int, e.id, "\(name) #\(number)")
                let queries = dns?["queries"] as? [[String: Any]]
                XCTAssertEqual(queries?.first?["rrname"] as? String ?? "", e.name, "\(name) #\(number)")
                XCTAssertEqual((dns?["answers"] as? [Any])?.count ?? 0, e.answers, "\(name) #\(number)")
                compared += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 2, "the shared captures hold DNS over TCP (mixed/cs_dns_tcp.pcapng)")
    }
}
