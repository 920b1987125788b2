import Foundation
import NetwatchTestSupport
import XCTest

/// Real attacks and real benign traffic between network-namespace test hosts (never any other
/// address). netwatch captures on the victim's side with `--alerts-only --json-alerts`; each
/// attack must give exactly one alert, of the right class, naming attacker and victim, and the
/// benign traffic none.
final class DetectionLiveTests: XCTestCase {
    /// Runs netwatch on B's interface while `attack` runs in A; returns the JSON alerts.
    private func watch(_ hosts: TestHosts, _ attack: String, extra: [String] = []) throws -> (alerts: [[String: Any]], all: [[String: Any]]) {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("alerts.json")
        let err = dir.appendingPathComponent("err")
        let p = try hosts.start(hosts.b, [netwatch, "-i", hosts.interfaceB, "--alerts-only", "--no-processes", "--json-alerts", json.path] + extra,
                                output: dir.appendingPathComponent("out"), error: err)
        XCTAssertTrue(waitFor("capturing on", in: err), "netwatch did not start: \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
        usleep(300_000)
        _ = try? hosts.exec(hosts.a, attack)
        usleep(1_500_000)
        TestHosts.interrupt(p)
        let all = try jsonLines(json)
        return (all.filter { $0["event_type"] as? String == "alert" }, all)
    }

    private func signature(_ a: [String: Any]) -> String? { (a["alert"] as? [String: Any])?["signature"] as? String }

    private func requireTools(_ tools: String...) throws {
        for t in tools where which(t) == nil { throw XCTSkip("\(t) is not installed (scripts/setup --test installs it)") }
    }

    /// Victim B with two open TCP ports (a web server on 80, a listener on 22) and every ICMP
    /// error sent at once (no rate limit), so UDP scans run at nmap's pace.
    private func victim() throws -> TestHosts {
        let hosts = try TestHosts()
        try hosts.exec(hosts.b, "sysctl -qw net.ipv4.icmp_ratelimit=0")
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "80", "--bind", hosts.addressB])
        _ = try hosts.start(hosts.b, ["python3", "-c", "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('\(hosts.addressB)', 22)); s.listen(64); time.sleep(3600)"])
        usleep(500_000)
        return hosts
    }

    func testNmapScanTypesAreEachReportedOnceWithTheirClass() throws {
        try requireTools("nmap")
        let hosts = try victim()
        defer { hosts.tearDown() }
        let scans: [(String, String)] = [
            ("-sS", "TCP SYN port scan"), ("-sT", "TCP connect port scan"), ("-sF", "TCP FIN port scan"),
            ("-sX", "TCP Xmas port scan"), ("-sN", "TCP NULL port scan"), ("-sA", "TCP ACK port scan"),
            ("-sU --top-ports 100", "UDP port scan"),
        ]
        for (flags, expected) in scans {
            for timing in ["-T3", "-T4"] {
                let (alerts, _) = try watch(hosts, "nmap -n -Pn \(flags) \(timing) \(hosts.addressB)")
                let label = "nmap \(flags) \(timing)"
                XCTAssertEqual(alerts.count, 1, "\(label): \(alerts.map { signature($0) ?? "?" })")
                guard let a = alerts.first else { continue }
                XCTAssertEqual(signature(a), expected, label)
                XCTAssertEqual(a["src_ip"] as? String, hosts.addressA, label)
                XCTAssertEqual(a["dest_ip"] as? String, hosts.addressB, label)
                XCTAssertGreaterThanOrEqual(a["ports_failed"] as? Int ?? 0, 20, label)
            }
        }
    }

    func testNmapPingSweepOfASlash24IsOneAlert() throws {
        try requireTools("nmap")
        let hosts = try victim()
        defer { hosts.tearDown() }
        let net = hosts.addressB.split(separator: ".").prefix(3).joined(separator: ".")
        for timing in ["-T3", "-T4"] {
            let (alerts, all) = try watch(hosts, "nmap -n -sn \(timing) \(net).0/24")
            XCTAssertEqual(alerts.count, 1, "nmap -sn \(timing): \(alerts.map { signature($0) ?? "?" })")
            guard let a = alerts.first else { continue }
            XCTAssertEqual(signature(a), "ping sweep", timing)
            XCTAssertEqual(a["src_ip"] as? String, hosts.addressA, timing)
            // The summary counts the whole sweep: the /24 less the two test hosts, at least.
            let summary = all.first { $0["event_type"] as? String == "alert_summary" }
            XCTAssertGreaterThanOrEqual(summary?["hosts"] as? Int ?? 0, 250, timing)
        }
    }

    func testHping3SYNFloodsAreOneAlertNamingTheVictim() throws {
        try requireTools("hping3")
        let hosts = try victim()
        defer { hosts.tearDown() }
        for spoofed in [false, true] {
            let (alerts, all) = try watch(hosts, "timeout 3 hping3 -q -S --flood -p 80 \(spoofed ? "--rand-source " : "")\(hosts.addressB) 2>/dev/null; true")
            let label = spoofed ? "random sources" : "one source"
            XCTAssertEqual(alerts.count, 1, "\(label): \(alerts.map { signature($0) ?? "?" })")
            guard let a = alerts.first else { continue }
            XCTAssertEqual(signature(a), "SYN flood", label)
            XCTAssertEqual(a["dest_ip"] as? String, hosts.addressB, label)
            XCTAssertEqual(a["dest_port"] as? Int, 80, label)
            XCTAssertGreaterThanOrEqual(a["syn_rate"] as? Int ?? 0, 200, label)
            let summary = try XCTUnwrap(all.first { $0["event_type"] as? String == "alert_summary" }, label)
            let sources = summary["distinct_sources"] as? Int ?? 0
            if spoofed {
                XCTAssertGreaterThan(sources, 1000, label)
                XCTAssertNil(a["src_ip"], "a spoofed flood names no single source")
            } else {
                XCTAssertEqual(sources, 1, label)
                XCTAssertEqual(a["src_ip"] as? String, hosts.addressA, label)
            }
        }
    }

    /// One port on 25 addresses of the victim (all closed): one address sweep.
    func testAddressSweepIsOneAlert() throws {
        try requireTools("nmap")
        let hosts = try victim()
        defer { hosts.tearDown() }
        let net = hosts.addressB.split(separator: ".").prefix(3).joined(separator: ".")
        try hosts.exec(hosts.b, (10...34).map { "ip addr add \(net).\($0)/24 dev \(hosts.interfaceB)" }.joined(separator: " && "))
        let (alerts, _) = try watch(hosts, "nmap -n -Pn -sS -p 81 \(net).10-34")
        XCTAssertEqual(alerts.map { signature($0) ?? "?" }, ["address sweep on 81/tcp"])
        XCTAssertEqual(alerts.first?["src_ip"] as? String, hosts.addressA)
        XCTAssertGreaterThanOrEqual(alerts.first?["hosts_failed"] as? Int ?? 0, 20)
    }

    /// Connections to a block-listed host: one alert, however many connections; SYN+FIN
    /// packets: one invalid-flags alert.
    func testBlocklistedContactAndInvalidFlags() throws {
        try requireTools("curl", "hping3")
        let hosts = try victim()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("bad.netset")
        try "# test list\n192.0.2.0/24\n\(hosts.addressB) ; TEST-1\n".write(to: list, atomically: true, encoding: .utf8)
        let (listed, _) = try watch(hosts, "for i in 1 2 3 4 5; do curl -s -o /dev/null http://\(hosts.addressB)/; done", extra: ["--blocklist", list.path])
        XCTAssertEqual(listed.map { signature($0) ?? "?" }, ["block-listed peer"])
        XCTAssertEqual(listed.first?["listed_ip"] as? String, hosts.addressB)
        XCTAssertEqual(listed.first?["blocklist"] as? String, "\(list.path):3")
        let (flags, _) = try watch(hosts, "hping3 -q -c 3 -i u100000 -S -F -p 80 \(hosts.addressB) 2>/dev/null; true")
        XCTAssertEqual(flags.map { signature($0) ?? "?" }, ["invalid TCP flags"])
        XCTAssertEqual(flags.first?["src_ip"] as? String, hosts.addressA)
    }

    /// Hundreds of parallel downloads, a burst of DNS queries, a long transfer, and a service
    /// that restarts and refuses a few connections meanwhile: no alert at all.
    func testBenignTrafficRaisesNoAlert() throws {
        try requireTools("curl", "dig")
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try hosts.exec(hosts.b, "head -c 2000000 /dev/urandom > \(dir.path)/file.bin; head -c 200000000 /dev/zero > \(dir.path)/big.bin")
        let script = dir.appendingPathComponent("dns.py")
        try dnsResponderScript.write(to: script, atomically: true, encoding: .utf8)
        _ = try hosts.start(hosts.b, ["python3", script.path, hosts.addressB])
        let server = try hosts.start(hosts.b, ["python3", "-m", "http.server", "8000", "--bind", hosts.addressB, "--directory", dir.path])
        let iperf = which("iperf3") != nil
        if iperf { _ = try hosts.start(hosts.b, ["iperf3", "-s", "-B", hosts.addressB]) }
        usleep(700_000)
        let b = hosts.addressB
        let traffic = """
            seq 300 | xargs -P 150 -I{} curl -s -o /dev/null http://\(b):8000/file.bin;
            for i in $(seq 200); do dig @\(b) +tries=1 +time=1 +short host$i.example.test >/dev/null & done; wait;
            \(iperf ? "iperf3 -c \(b) -t 3 >/dev/null" : "curl -s -o /dev/null http://\(b):8000/big.bin");
            curl -s -o /dev/null http://\(b):8000/big.bin
            """
        // The service restart happens while the traffic runs: a few refused connections.
        _ = server
        let restart = Process()
        restart.executableURL = URL(fileURLWithPath: "/bin/sh")
        restart.arguments = ["-c", """
            sleep 1.5; ip netns exec \(hosts.b) pkill -f 'http.server 8000'; sleep 0.3;
            for i in 1 2 3; do ip netns exec \(hosts.a) curl -s -m 1 http://\(b):8000/ >/dev/null; done;
            ip netns exec \(hosts.b) python3 -m http.server 8000 --bind \(b) --directory \(dir.path) >/dev/null 2>&1 &
            """]
        try restart.run()
        let (alerts, _) = try watch(hosts, traffic)
        XCTAssertEqual(alerts.count, 0, "benign traffic raised: \(alerts.map { ($0["reason"] as? String) ?? "?" })")
    }
}
