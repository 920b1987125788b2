import Foundation
import NetwatchTestSupport
import XCTest

/// The `netwatch` command as a user runs it: exit codes, messages, output on real captures.
final class CommandLineTests: XCTestCase {
    func netwatch(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try runCommand(try netwatchBinary(), arguments, environment: environment)
    }

    func testCompactLinesForEveryPacket() throws {
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let result = try netwatch(["-r", file])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 136)
        XCTAssertTrue(lines.contains { $0.contains("TCP      141.142.220.118 → 208.80.152.118  | 48649 → 80(HTTP) [S] | 74 bytes") }, result.output)
        XCTAssertTrue(lines.contains { $0.contains("DNS      141.142.220.118 → 141.142.2.2     | 43927 → 53(DNS) | AAAA? upload.wikimedia.org | 80 bytes") })
        XCTAssertTrue(lines.contains { $0.contains("ARP      141.142.220.1   → 141.142.220.26  | who-has 141.142.220.26 tell 141.142.220.1") })
        XCTAssertFalse(result.output.contains("\u{1B}"), "no colour when stdout is not a terminal")
        XCTAssertTrue(result.stderr.contains("136 packets"))
    }

    func testNoNameLookups() throws {
        let file = try TestData.path("pcap/mixed/cs_tcp_handshake.pcapng")
        let result = try netwatch(["-r", file, "-n"])
        XCTAssertTrue(result.output.contains("→ 80 [S]"), result.output)
        XCTAssertFalse(result.output.contains("(HTTP)"))
    }

    func testDetailedAndMinimalModes() throws {
        let file = try TestData.path("pcap/mixed/cs_tcp_handshake.pcapng")
        let detailed = try netwatch(["-r", file, "--mode", "detailed"]).output
        XCTAssertTrue(detailed.contains("TCP seq "), detailed)
        XCTAssertTrue(detailed.contains("options [mss 1460"), detailed)
        XCTAssertTrue(detailed.contains("IPv4 ttl "), detailed)
        let minimal = try netwatch(["-r", file, "--mode", "minimal"]).output
        let first = minimal.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasSuffix("TCP      172.16.16.128 → 212.58.226.142"), first)
    }

    func testHexPreviewOfPayload() throws {
        let file = try TestData.path("pcap/mixed/cs_http_google.pcapng")
        let detailed = try netwatch(["-r", file, "-v", "-c", "8"]).output
        XCTAssertTrue(detailed.contains("      0000  47 45 54 20"), "GET request payload in hex: \(detailed)")
    }

    func testFilterOnFileMatchesTcpdump() throws {
        let file = try TestData.path("pcap/mixed/suricata_output-eve-ftp-data.pcap")
        for filter in ["arp", "tcp port 21", "udp and not port 53", "icmp6"] {
            let ours = try netwatch(["-r", file, "-q", filter])
            let theirs = try runTool("tcpdump", ["-nn", "-r", file, filter])
            let expected = theirs.output.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("\t") }.count
            XCTAssertTrue(ours.stderr.contains("netwatch: \(expected) packets"), "\(filter): \(ours.stderr) vs tcpdump \(expected)")
        }
    }

    func testCountStops() throws {
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let result = try netwatch(["-r", file, "-c", "5"])
        XCTAssertEqual(result.output.split(separator: "\n").count, 5)
    }

    func testJSONLinesCarryEveryField() throws {
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let result = try netwatch(["-r", file, "--json"])
        XCTAssertEqual(result.status, 0)
        let objects = try result.output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(objects.count, 136)
        let syn = objects.first { ($0["tcp_flags"] as? String) == "S" && ($0["src_port"] as? Int) == 48649 }
        XCTAssertEqual(syn?["proto"] as? String, "TCP")
        XCTAssertEqual(syn?["src_ip"] as? String, "141.142.220.118")
        XCTAssertEqual(syn?["dest_ip"] as? String, "208.80.152.118")
        XCTAssertEqual(syn?["dest_port"] as? Int, 80)
        XCTAssertEqual(syn?["length"] as? Int, 74)
        XCTAssertEqual(syn?["caplen"] as? Int, 74)
        XCTAssertEqual(syn?["service"] as? String, "HTTP")
        XCTAssertTrue((syn?["timestamp"] as? String)?.hasPrefix("2011-") ?? false)
        let dns = objects.first { ($0["dns"] as? [String: Any])?["type"] as? String == "answer" && $0["dest_port"] as? Int == 43927 }
        let answer = dns?["dns"] as? [String: Any]
        XCTAssertNotNil(answer?["rcode"])
        XCTAssertNotNil((answer?["queries"] as? [[String: Any]])?.first?["rrname"])
    }

    func testJSONMarksFragmentsVLANsAndErrors() throws {
        let vlan = try netwatch(["-r", try TestData.path("pcap/linktype/zeek_icmp_dot1q.pcap"), "--json"]).output
        XCTAssertTrue(vlan.contains("\"vlan\":["), vlan)
        XCTAssertTrue(vlan.contains("\"icmp_type\":8"))
        let frag = try netwatch(["-r", try TestData.path("pcap/fragments/cs_ip_frag_source.pcapng"), "--json"]).output
        XCTAssertTrue(frag.contains("\"fragment\":{\"offset\":1480,\"more_fragments\":true}"), frag)
        let trunc = try netwatch(["-r", try TestData.path("pcap/malformed/zeek_tcp-truncated-header.pcap"), "--json"]).output
        XCTAssertTrue(trunc.contains("\"error\":{\"layer\":\"TCP\",\"kind\":"), trunc)
    }

    /// DNS names and TXT data are attacker-controlled: no control byte may reach the terminal.
    func testHostileDNSNamesAreEscaped() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let evil: [UInt8] = Array("\u{1B}]0;pwned\u{07}\u{1B}[2J".utf8) + [0x0A, 0x0D, 0xFF, 0x22, 0x5C]
        var query: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        query += [UInt8(evil.count)] + evil + [3] + Array("com".utf8) + [0, 0, 16, 0, 1]
        var response = query
        response[2] = 0x81; response[3] = 0x80; response[7] = 1
        response += [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, UInt8(evil.count + 1), UInt8(evil.count)] + evil
        let file = dir.appendingPathComponent("evil.pcap")
        try writePcap([udpPacket(src: 5000, dst: 53, query), udpPacket(src: 53, dst: 5000, response)], to: file)
        for mode in [["--mode", "compact"], ["--mode", "detailed"], ["--json"]] {
            let result = try netwatch(["-r", file.path] + mode)
            XCTAssertEqual(result.status, 0)
            let controls = result.stdout.filter { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F || $0 >= 0x80 && $0 != 0xE2 && $0 != 0x86 && $0 != 0x92 }
            XCTAssertTrue(controls.isEmpty, "\(mode): control bytes \(Array(controls)) in \(result.output)")
            if mode != ["--json"] {
                XCTAssertTrue(result.output.contains("\\x1b]0;pwned\\x07\\x1b[2J\\x0a\\x0d\\xff\"\\\\.com"), result.output)
            }
            XCTAssertEqual(result.output.split(separator: "\n").filter { !$0.hasPrefix(" ") }.count, 2)
        }
        let json = try netwatch(["-r", file.path, "--json"]).output
        for line in json.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let dns = object?["dns"] as? [String: Any]
            let query = (dns?["queries"] as? [[String: Any]])?.first
            XCTAssertEqual(query?["rrname"] as? String, "\\x1b]0;pwned\\x07\\x1b[2J\\x0a\\x0d\\xff\"\\\\.com", String(line))
        }
    }

    // MARK: Bad input: one sentence, non-zero exit, never a crash

    func testUnreadableAndDamagedFiles() throws {
        let invalid = try netwatch(["-r", try TestData.path("pcap/malformed/libpcap_pcap-invalid-version-1.pcap")])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertTrue(invalid.stderr.contains("pcap format version 1.4"), invalid.stderr)
        let shb = try netwatch(["-r", try TestData.path("pcap/malformed/libpcap_shb-option-too-long.pcapng")])
        XCTAssertEqual(shb.status, 1)
        XCTAssertTrue(shb.stderr.contains("block total length in header and trailer don't match"), shb.stderr)
        let damaged = try netwatch(["-r", try TestData.path("pcap/malformed/suricata_fuzz_damaged.pcap")])
        XCTAssertEqual(damaged.status, 1, "a corrupt record is an error")
        XCTAssertEqual(damaged.output.split(separator: "\n").count, 1, "the packet before the damage is shown")
        XCTAssertTrue(damaged.stderr.contains("is damaged: the record at byte 228 claims 1409179648 captured bytes"), damaged.stderr)
        let missing = try netwatch(["-r", "/nonexistent/x.pcap"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "netwatch: cannot open /nonexistent/x.pcap: No such file or directory\n")
        XCTAssertFalse(missing.stderr.contains("Fatal"))
    }

    func testCutOffFileShowsEveryPacketThenWarns() throws {
        let file = try TestData.path("pcap/malformed/dpkt_truncated_dns_2.pcap")
        let result = try netwatch(["-r", file])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output.split(separator: "\n").count, 1)
        XCTAssertTrue(result.stderr.contains("warning: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("ends in the middle of a record header at byte 240 (after 1 packets)"), result.stderr)

        // A pcap cut inside a packet, made from a real capture.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: try TestData.path("pcap/mixed/zeek_wikipedia.pcap")))
        let cut = dir.appendingPathComponent("cut.pcap")
        try whole.prefix(whole.count / 2).write(to: cut)
        let partial = try netwatch(["-r", cut.path, "-q"])
        let tcpdump = try runTool("tcpdump", ["-nn", "-r", cut.path])
        let expected = tcpdump.output.split(separator: "\n").count
        XCTAssertTrue(partial.stderr.contains("netwatch: \(expected) packets"), "\(partial.stderr) vs tcpdump's \(expected)")
        XCTAssertTrue(partial.stderr.contains("warning: \(cut.path) ends in the middle of"), partial.stderr)
    }

    func testNotACaptureFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.pcap")
        try Data("hello world, not a capture".utf8).write(to: text)
        let result = try netwatch(["-r", text.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("is not a pcap or pcapng file"), result.stderr)
        let gz = dir.appendingPathComponent("trace.pcap.gz")
        try Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0]).write(to: gz)
        let gzip = try netwatch(["-r", gz.path])
        XCTAssertTrue(gzip.stderr.contains("is gzip-compressed"), gzip.stderr)
        let empty = dir.appendingPathComponent("empty.pcap")
        try Data().write(to: empty)
        XCTAssertTrue(try netwatch(["-r", empty.path]).stderr.contains("is empty"))
    }

    func testBadFilterIsRejectedWithLibpcapsMessage() throws {
        let file = try TestData.path("pcap/mixed/zeek_dhcp.pcap")
        let result = try netwatch(["-r", file, "tcp", "port"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "netwatch: invalid filter \"tcp port\": can't parse filter expression: syntax error\n")
        XCTAssertTrue(result.output.isEmpty)
    }

    func testEveryCaptureRunsWithoutCrashing() throws {
        for file in try TestData.allCaptures() {
            for mode in [["--mode", "detailed"], ["--json"]] {
                let result = try netwatch(["-r", file] + mode)
                XCTAssertTrue([0, 1].contains(result.status), "\(file) \(mode): exit \(result.status) \(result.stderr)")
                XCTAssertFalse(result.stderr.contains("Fatal error"), "\(file): \(result.stderr)")
            }
        }
    }

    // MARK: Writing pcap files

    /// What netwatch writes, tcpdump reads back with the same packets, byte for byte.
    func testWriteRoundTripThroughTcpdump() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["pcap/mixed/sgr_trevisi_generic.pcapng", "pcap/linktype/suricata_sll_http.pcap", "pcap/format/tcpdump_pptp_bigendian.pcap"] {
            let input = try TestData.path(name)
            let output = dir.appendingPathComponent("out.pcap")
            let result = try netwatch(["-r", input, "-q", "-w", output.path])
            XCTAssertEqual(result.status, 0, result.stderr)
            let original = try runTool("tcpdump", ["-nn", "-xx", "-r", input])
            let copy = try runTool("tcpdump", ["-nn", "-xx", "-r", output.path])
            XCTAssertGreaterThan(original.output.count, 1000)
            XCTAssertEqual(copy.output, original.output, "\(name): tcpdump reads the copy differently")
        }
    }

    func testWriteWithFilterAndRotation() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try TestData.path("pcap/mixed/sgr_colella_instagram.pcap")
        let base = dir.appendingPathComponent("rot.pcap").path
        let result = try netwatch(["-r", input, "-q", "-w", base, "-C", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let files = [base, base + "1", base + "2"]
        var total = 0
        for file in files {
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            XCTAssertLessThanOrEqual(size, 1_000_000, file)
            total += try runTool("tcpdump", ["-nn", "-r", file]).output.split(separator: "\n").count
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "3"))
        XCTAssertEqual(total, 3443)
        let filtered = dir.appendingPathComponent("dns.pcap").path
        _ = try netwatch(["-r", input, "-q", "-w", filtered, "udp port 53"])
        let expected = try runTool("tcpdump", ["-nn", "-r", input, "udp port 53"]).output
        XCTAssertEqual(try runTool("tcpdump", ["-nn", "-r", filtered]).output, expected)
    }

    func testReadsStandardInput() throws {
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let result = try runCommand(try netwatchBinary(), ["-r", "-", "-q"], stdin: file)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("136 packets"), result.stderr)
    }

    func testListsInterfaces() throws {
        let result = try netwatch(["-D"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.output.contains(".lo [up"), result.output)
        XCTAssertEqual(try netwatch(["interfaces"]).output, result.output)
    }
}

/// Every saved fuzz crasher and every shared capture, replayed through the fuzz target's plain build.
final class FuzzRegressionTests: XCTestCase {
    func testFuzzRegressionInputs() throws {
        let binary = URL(fileURLWithPath: try netwatchBinary()).deletingLastPathComponent().appendingPathComponent("netwatch-fuzz").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("netwatch-fuzz is not built") }
        var repo = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { repo.deleteLastPathComponent() }
        let crashers = try FileManager.default.contentsOfDirectory(atPath: repo.appendingPathComponent("Fuzz/crashers").path)
            .filter { !$0.hasSuffix(".md") }
            .map { repo.appendingPathComponent("Fuzz/crashers/\($0)").path }
        let inputs = crashers + (try TestData.allCaptures())
        let result = try runCommand(binary, inputs)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.output.contains("replayed \(inputs.count) inputs without a crash"), result.output)
    }
}
