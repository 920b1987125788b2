import Foundation
import NetwatchTestSupport
import XCTest

final class ConnectionsCommandTests: XCTestCase {
    func records(_ url: URL) throws -> [[String: Any]] {
        try String(decoding: Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Every flow gets a NEW line, a `new` record and a `conn` record, with Zeek's fields.
    func testRecordsForEveryFlowOfACapture() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("conn.json")
        let file = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let result = try runCommand(try netwatchBinary(), ["connections", "-r", file, "--conn-json", json.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.output.split(separator: "\n")
        XCTAssertTrue(result.stderr.contains("136 packets, 25260 bytes; 34 flows"), result.stderr)
        XCTAssertEqual(lines.count, 34)
        XCTAssertTrue(lines.contains { $0.hasSuffix("NEW  TCP    141.142.220.118:48649 → 208.80.152.118:80 (HTTP)") }, result.output)
        let all = try records(json)
        let new = all.filter { $0["event_type"] as? String == "new" }
        let conn = all.filter { $0["event_type"] as? String == "conn" }
        XCTAssertEqual(new.count, 34)
        XCTAssertEqual(conn.count, 34)
        XCTAssertEqual(Set(new.map { $0["uid"] as! String }), Set(conn.map { $0["uid"] as! String }), "each new record is closed by a conn record")
        for record in conn {
            for field in ["ts", "uid", "community_id", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
                          "orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "resp_pkts", "end_reason"] {
                XCTAssertNotNil(record[field], "\(field) missing in \(record)")
            }
        }
        let http = conn.first { $0["id.orig_p"] as? Int == 48649 }
        // The capture ends before this connection closes: established, not terminated.
        XCTAssertEqual(http?["conn_state"] as? String, "S1")
        XCTAssertEqual(http?["proto"] as? String, "tcp")
        XCTAssertEqual(http?["service"] as? String, "http")
        XCTAssertEqual(http?["history"] as? String, "ShADad")
        XCTAssertEqual(http?["end_reason"] as? String, "shutdown")
    }

    /// ICMP errors count on the flow they quote: tshark's quoted tuples of the port
    /// unreachables and the time-exceeded answers to a traceroute's echo requests.
    func testICMPErrorsAttachToTheFlowTheyQuote() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("conn.json")
        let file = try TestData.path("pcap/mixed/sgr_trevisi_generic.pcapng")
        let result = try runCommand(try netwatchBinary(), ["connections", "-q", "-r", file, "--conn-json", json.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let conn = try records(json).filter { $0["event_type"] as? String == "conn" }
        // tshark prints outer,inner for fields the quoted header repeats.
        let (unreachables, _) = try runTool("tshark", ["-r", file, "-Y", "icmp.type == 3 && udp", "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.srcport", "-e", "udp.dstport"])
        var expected: [String: Int] = [:]
        for line in unreachables.split(separator: "\n") {
            let f = line.split(separator: "\t").map { $0.split(separator: ",").map(String.init) }
            expected["\(f[0][1]):\(f[2][0]) > \(f[1][1]):\(f[3][0])", default: 0] += 1
        }
        XCTAssertEqual(expected.values.reduce(0, +), 5)
        for (tuple, count) in expected {
            let flow = conn.first { "\($0["id.orig_h"]!):\($0["id.orig_p"]!) > \($0["id.resp_h"]!):\($0["id.resp_p"]!)" == tuple }
            XCTAssertEqual(flow?["icmp_errors"] as? Int, count, tuple)
            XCTAssertEqual((flow?["icmp_last_error"] as? [String: Int])?["code"], 3, tuple)
        }
        let (exceeded, _) = try runTool("tshark", ["-r", file, "-Y", "icmp.type == 11", "-T", "fields", "-e", "frame.number"])
        let echo = conn.first { $0["proto"] as? String == "icmp" && $0["id.resp_h"] as? String == "8.8.8.8" }
        XCTAssertEqual(echo?["icmp_errors"] as? Int, exceeded.split(separator: "\n").count)
        XCTAssertEqual((echo?["icmp_last_error"] as? [String: Int])?["type"], 11)
    }

    /// Live on a test host: the flows of curl runs there carry curl's PID and name, in the
    /// new-connection lines and the conn records; the server, on the other host, is no local process.
    func testFlowsNameTheirLocalProcess() throws {
        guard which("curl") != nil, which("python3") != nil else { throw XCTSkip("curl and python3 are needed") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The server answers each request after 0.6 s, so every curl is still running when
        // netwatch sees its SYN, however late the capture hands it over. (A rate-limited
        // download of a file once ended in 50 ms, before its flow was looked up: a process
        // already gone cannot be named.)
        let server = dir.appendingPathComponent("server.py")
        try """
        import socket, sys, time
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], 8080)); s.listen(8)
        while True:
            c, _ = s.accept(); c.recv(4096); time.sleep(0.6)
            c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 100000\\r\\n\\r\\n" + b"a" * 100000); c.close()
        """.write(to: server, atomically: true, encoding: .utf8)
        _ = try hosts.start(hosts.b, ["python3", server.path, hosts.addressB])
        // The server is up before netwatch starts: no refused attempts among the flows.
        try hosts.exec(hosts.a, "curl -s -o /dev/null --retry 10 --retry-connrefused http://\(hosts.addressB):8080/")
        let json = dir.appendingPathComponent("conn.json"), out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        let netwatch = try hosts.start(hosts.a, [try netwatchBinary(), "connections", "-i", hosts.interfaceA, "--conn-json", json.path, "tcp port 8080"], output: out, error: err)
        XCTAssertTrue(waitFor("capturing on", in: err))
        var pids: [Int32] = []
        for _ in 0..<3 {
            let curl = try hosts.start(hosts.a, ["curl", "-s", "-o", "/dev/null", "--retry", "5", "--retry-connrefused", "http://\(hosts.addressB):8080/f.bin"])
            curl.waitUntilExit()
            XCTAssertEqual(curl.terminationStatus, 0)
            pids.append(curl.processIdentifier)
        }
        usleep(300_000)
        TestHosts.interrupt(netwatch)
        let lines = String(decoding: try Data(contentsOf: out), as: UTF8.self).split(separator: "\n").filter { $0.contains("NEW  TCP") }
        XCTAssertEqual(lines.count, 3, lines.joined(separator: "\n"))
        for (line, pid) in zip(lines, pids) { XCTAssertTrue(line.hasSuffix("[curl \(pid)]"), "\(line) vs curl \(pid)") }
        let conn = try records(json).filter { $0["event_type"] as? String == "conn" }
        XCTAssertEqual(Set(conn.compactMap { $0["pid"] as? Int }), Set(pids.map { Int($0) }))
        XCTAssertEqual(Set(conn.compactMap { $0["process"] as? String }), ["curl"])
    }

    /// Live on loopback (issue 24, item 4): both ends are local sockets; the flow belongs to the
    /// process that opened it, curl, not the python server it reached.
    func testLoopbackFlowsNameTheOriginator() throws {
        guard which("curl") != nil, which("python3") != nil else { throw XCTSkip("curl and python3 are needed") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = dir.appendingPathComponent("server.py")
        try """
        import socket, time
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 18080)); s.listen(8)
        while True:
            c, _ = s.accept(); c.recv(4096); time.sleep(0.6)
            c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 1000\\r\\n\\r\\n" + b"a" * 1000); c.close()
        """.write(to: server, atomically: true, encoding: .utf8)
        let python = try hosts.start(hosts.a, ["python3", server.path])
        try hosts.exec(hosts.a, "curl -s -o /dev/null --retry 10 --retry-connrefused http://127.0.0.1:18080/")
        let json = dir.appendingPathComponent("conn.json"), out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        let netwatch = try hosts.start(hosts.a, [try netwatchBinary(), "connections", "-i", "lo", "--conn-json", json.path, "tcp port 18080"], output: out, error: err)
        XCTAssertTrue(waitFor("capturing on", in: err))
        let curl = try hosts.start(hosts.a, ["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:18080/"])
        curl.waitUntilExit()
        XCTAssertEqual(curl.terminationStatus, 0)
        usleep(300_000)
        TestHosts.interrupt(netwatch)
        let lines = String(decoding: try Data(contentsOf: out), as: UTF8.self).split(separator: "\n").filter { $0.contains("NEW  TCP") }
        XCTAssertEqual(lines.count, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.first?.hasSuffix("[curl \(curl.processIdentifier)]") ?? false, "\(lines) vs curl \(curl.processIdentifier), server \(python.processIdentifier)")
        let conn = try records(json).filter { $0["event_type"] as? String == "conn" }
        XCTAssertEqual(conn.first?["process"] as? String, "curl")
        XCTAssertEqual(conn.first?["pid"] as? Int, Int(curl.processIdentifier))
    }

    /// Live: N curl downloads between test hosts make exactly N new-connection lines and N
    /// `conn` records in state SF whose byte counts match what curl received; they are written
    /// when netwatch is interrupted, since closed flows wait out their timeout in the table.
    func testCurlDownloadsBetweenTestHosts() throws {
        guard which("curl") != nil, which("python3") != nil else { throw XCTSkip("curl and python3 are needed") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(repeating: 0x62, count: 123_456).write(to: dir.appendingPathComponent("f.bin"))
        let httpErr = dir.appendingPathComponent("http.err")
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "8080", "--bind", hosts.addressB, "--directory", dir.path], error: httpErr)
        let json = dir.appendingPathComponent("conn.json")
        let out = dir.appendingPathComponent("out")
        let err = dir.appendingPathComponent("err")
        let netwatch = try hosts.start(hosts.a, [try netwatchBinary(), "connections", "-i", hosts.interfaceA, "--conn-json", json.path, "tcp port 8080"], output: out, error: err)
        XCTAssertTrue(waitFor("capturing on", in: err))
        usleep(300_000)
        let n = 5
        var received: [Int] = []
        for _ in 0..<n {
            let sizes = try hosts.exec(hosts.a, "curl -s -o /dev/null -w '%{size_download} %{size_header}' --retry 5 --retry-connrefused http://\(hosts.addressB):8080/f.bin")
            let parts = sizes.split(separator: " ").compactMap { Int($0) }
            XCTAssertEqual(parts.count, 2, sizes)
            received.append(parts.reduce(0, +))
        }
        usleep(500_000)
        TestHosts.interrupt(netwatch)
        XCTAssertEqual(netwatch.terminationStatus, 0)
        let lines = String(decoding: try Data(contentsOf: out), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("NEW  TCP") && $0.contains("→ \(hosts.addressB):8080") }.count, n, lines.joined(separator: "\n"))
        let conn = try records(json).filter { $0["event_type"] as? String == "conn" }
        XCTAssertEqual(conn.count, n)
        for record in conn {
            XCTAssertEqual(record["conn_state"] as? String, "SF", "\(record)")
            XCTAssertEqual(record["id.resp_p"] as? Int, 8080)
            XCTAssertEqual(record["end_reason"] as? String, "shutdown")
            XCTAssertTrue(received.contains(record["resp_bytes"] as? Int ?? -1), "resp_bytes \(record["resp_bytes"] ?? "-") vs curl's \(received)")
        }
    }
}

final class StatisticsOutputTests: XCTestCase {
    func testFinalAndPeriodicBlocks() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("stats.json")
        let file = try TestData.path("pcap/mixed/suricata_output-eve-ftp-data.pcap")  // 98.5 s of packet time
        let result = try runCommand(try netwatchBinary(), ["-r", file, "-q", "--stats-interval", "30", "--stats-json", json.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr.components(separatedBy: "LIVE STATS | Packets: ").count - 1, 3, "blocks at 30, 60 and 90 s: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("=== Final statistics ==="))
        XCTAssertTrue(result.stderr.contains("Top ports:\n  80/tcp (HTTP)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Top conversations:"))
        let lines = try String(decoding: Data(contentsOf: json), as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(lines.map { $0["kind"] as? String }, ["live", "live", "live", "final"])
        XCTAssertEqual(lines.last?["packets"] as? Int, 1350)
        let protocols = lines.last?["protocols"] as? [String: Int]
        XCTAssertEqual(protocols?.values.reduce(0, +), 1350)
        XCTAssertEqual(protocols?["TCP"], 755)
        XCTAssertEqual((lines.last?["top_ports"] as? [[String: Any]])?.first?["port"] as? Int, 80)
        XCTAssertEqual((lines.last?["top_ips"] as? [[String: Any]])?.first?["ip"] as? String, "192.168.0.13")
    }

    /// Under a flood of more sources (37,841 spoofed) than the 8,192 tracked, which one-packet
    /// sources stay counted depends on the per-process hash key. NETWATCH_HASH_SEED fixes the
    /// key, so two runs print the same report; a value that is not a number gets a warning
    /// and a random key.
    func testFixedHashSeedGivesTheSameReport() throws {
        let file = try TestData.path("pcap/attack/stopddos_synflood_spoofed.pcap")
        let arguments = ["-r", file, "-q", "--no-detect"]
        let first = try runCommand(try netwatchBinary(), arguments, environment: ["NETWATCH_HASH_SEED": "12345"])
        let second = try runCommand(try netwatchBinary(), arguments, environment: ["NETWATCH_HASH_SEED": "12345"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("Top IP addresses:"), first.stderr)
        XCTAssertEqual(first.stderr, second.stderr)
        let bad = try runCommand(try netwatchBinary(), arguments, environment: ["NETWATCH_HASH_SEED": "12x\u{1b}[2J"])
        XCTAssertEqual(bad.status, 0, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("netwatch: warning: NETWATCH_HASH_SEED is not a number"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("Top IP addresses:"), bad.stderr)
    }
}

/// A random-source SYN flood cannot grow netwatch past its flow bound: the table evicts the
/// oldest flows, says how many, and the peak resident memory stays within the fixed cost of a
/// quiet run plus the table.
final class FloodMemoryTests: XCTestCase {
    func peakResidentKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
    }

    func lastPacketCount(_ url: URL) -> Int {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        guard let last = text.split(separator: "\n").last,
              let range = last.range(of: "\"packets\":") else { return 0 }
        return Int(last[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    func testRandomSourceSYNFloodStaysWithinTheFlowBound() throws {
        guard which("hping3") != nil else { throw XCTSkip("hping3 is needed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let maxFlows = 100_000
        func start(_ name: String) throws -> (Process, URL, URL) {
            let stats = dir.appendingPathComponent("\(name).json")
            let err = dir.appendingPathComponent("\(name).err")
            let p = try hosts.start(hosts.b, [try netwatchBinary(), "-q", "-i", hosts.interfaceB, "--max-flows", "\(maxFlows)",
                                              "--stats-interval", "1", "--stats-json", stats.path], error: err)
            XCTAssertTrue(waitFor("capturing on", in: err))
            return (p, stats, err)
        }
        // The fixed cost: the same command, no traffic.
        let (quiet, _, _) = try start("quiet")
        sleep(2)
        let baseline = try XCTUnwrap(peakResidentKB(quiet.processIdentifier))
        TestHosts.interrupt(quiet)

        let (netwatch, stats, err) = try start("flood")
        let flood = try hosts.start(hosts.a, ["hping3", "-q", "-S", "-p", "80", "--flood", "--rand-source", hosts.addressB])
        let deadline = Date().addingTimeInterval(120)
        var peak = 0
        while lastPacketCount(stats) < 2_000_000 && Date() < deadline {
            usleep(200_000)
            peak = max(peak, peakResidentKB(netwatch.processIdentifier) ?? 0)
        }
        kill(flood.processIdentifier, SIGINT)
        flood.waitUntilExit()
        peak = max(peak, peakResidentKB(netwatch.processIdentifier) ?? 0)
        TestHosts.interrupt(netwatch)
        XCTAssertEqual(netwatch.terminationStatus, 0)
        let stderr = String(decoding: try Data(contentsOf: err), as: UTF8.self)
        let summary = try XCTUnwrap(stderr.split(separator: "\n").first { $0.hasPrefix("netwatch: ") && $0.contains(" packets, ") }, stderr)
        let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        // "N packets, B bytes; F flows (E evicted: table full at M flows of S bytes)"
        XCTAssertGreaterThanOrEqual(numbers[0], 2_000_000, String(summary))
        XCTAssertTrue(summary.contains("evicted: table full at \(maxFlows) flows"), String(summary))
        let evicted = numbers[3], perFlow = numbers[5]
        XCTAssertGreaterThan(evicted, 1_000_000, String(summary))
        let boundKB = baseline + maxFlows * perFlow / 1024
        print("flood: \(numbers[0]) packets, \(numbers[2]) flows, \(evicted) evicted; peak RSS \(peak) KB, quiet run \(baseline) KB, bound \(boundKB) KB (+16 MB slack)")
        XCTAssertLessThanOrEqual(peak, boundKB + 16 * 1024, "peak RSS \(peak) KB over the bound: quiet \(baseline) KB + \(maxFlows) flows x \(perFlow) bytes")
    }
}
