import Foundation
import NetwatchTestSupport
import XCTest

final class SocketsCommandTests: XCTestCase {
    /// netwatch's normalised tuples from `sockets --json`.
    func tuples(_ json: String) throws -> [String] {
        try json.split(separator: "\n").map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let proto = o["proto"] as! String, state = o["state"] as! String
            var remote = "\(o["remote_ip"]!) \(o["remote_port"]!)"
            if remote == "0.0.0.0 0" || remote == ":: 0" { remote = "* 0" }
            let pid = (o["pid"] as? Int).map(String.init) ?? "-"
            return "\(proto) \(o["local_ip"]!) \(o["local_port"]!) \(remote) \(state) \(pid)"
        }.sorted()
    }

    /// A helper holding 1000 TCP connections and some UDP sockets on loopback in a test host:
    /// netwatch lists the same (local, remote, state, pid) set as `ss -tunapH` and psutil.
    func testSocketTableMatchesSsAndPsutil() throws {
        guard which("ss") != nil, which("python3") != nil else { throw XCTSkip("ss and python3 are needed") }
        guard (try? shell("python3 -c 'import psutil'")) != nil else { throw XCTSkip("psutil is needed (scripts/setup --test installs it)") }
        let hosts = try TestHosts(ipv6: true)
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let helper = dir.appendingPathComponent("hold.py"), oracle = dir.appendingPathComponent("oracle.py")
        try socketHolderScript.write(to: helper, atomically: true, encoding: .utf8)
        try socketOracleScript.write(to: oracle, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("hold.out")
        let holder = try hosts.start(hosts.a, ["python3", helper.path, "1000"], output: out)
        XCTAssertTrue(waitFor("ready", in: out, timeout: 60))
        let ours = try tuples(try hosts.exec(hosts.a, "\(try netwatchBinary()) sockets --json"))
        let ss = try hosts.exec(hosts.a, "python3 \(oracle.path) ss").split(separator: "\n").map(String.init)
        let ps = try hosts.exec(hosts.a, "python3 \(oracle.path) psutil").split(separator: "\n").map(String.init)
        let pid = String(holder.processIdentifier)
        XCTAssertEqual(ours.filter { $0.hasSuffix(" \(pid)") }.count, 2000 + 2 + 8, "1000 connections (both ends), 2 listeners, 8 UDP sockets")
        XCTAssertEqual(ours.filter { $0.contains(" ESTABLISHED ") && $0.hasPrefix("tcp") }.count, 2000)
        XCTAssertEqual(Set(ours), Set(ss), "vs ss: only netwatch \(Set(ours).subtracting(ss).prefix(5)), only ss \(Set(ss).subtracting(ours).prefix(5))")
        XCTAssertEqual(Set(ours), Set(ps), "vs psutil: only netwatch \(Set(ours).subtracting(ps).prefix(5)), only psutil \(Set(ps).subtracting(ours).prefix(5))")
    }

    func testFiltersAndTable() throws {
        guard (try? shell("test -r /proc/net/tcp")) != nil else { throw XCTSkip("no /proc/net/tcp") }
        let hosts = try TestHosts(ipv6: true)
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let helper = dir.appendingPathComponent("hold.py")
        try socketHolderScript.write(to: helper, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("hold.out")
        let holder = try hosts.start(hosts.a, ["python3", helper.path, "10"], output: out)
        XCTAssertTrue(waitFor("ready", in: out, timeout: 30))
        let nw = try netwatchBinary()
        func count(_ args: String) throws -> Int {
            try hosts.exec(hosts.a, "\(nw) sockets --json \(args)").split(separator: "\n").count
        }
        XCTAssertEqual(try count("--tcp --listening"), 2)
        XCTAssertEqual(try count("--udp --listening"), 2)
        XCTAssertEqual(try count("--udp"), 8)
        XCTAssertEqual(try count("--tcp --established"), 20)
        XCTAssertEqual(try count("--pid \(holder.processIdentifier)"), 30)
        XCTAssertEqual(try count("--process python"), 30)
        XCTAssertEqual(try count("--process nosuchprogram"), 0)
        let table = try hosts.exec(hosts.a, "\(nw) sockets --tcp --listening")
        XCTAssertTrue(table.hasPrefix("Proto State"), table)
        XCTAssertTrue(table.contains("tcp   LISTEN       127.0.0.1:5000"), table)
        XCTAssertTrue(table.contains("[::1]:5001"), table)
        XCTAssertTrue(table.contains("\(holder.processIdentifier)/python3"), table)
    }
}

/// End to end: a client on one test host opens 25 connections to a block-listed server on the
/// other; `sockets --watch` raises one block-list alert and one excessive-connections alert
/// naming the client's PID, in the log and the JSON lines, then nothing for an idle minute.
final class SocketWatchTests: XCTestCase {
    static let server = """
        import socket, sys
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((sys.argv[1], 9000)); s.listen(100)
        keep = []
        while True:
            c, _ = s.accept(); keep.append(c)
        """
    static let client = """
        import socket, sys, time
        keep = []
        for i in range(25):
            for attempt in range(50):
                try:
                    c = socket.create_connection((sys.argv[1], 9000)); keep.append(c); break
                except OSError:
                    time.sleep(0.1)
        print("connected", len(keep), flush=True)
        time.sleep(3600)
        """

    func testBlocklistedPeerAndExcessiveConnections() throws {
        guard which("python3") != nil else { throw XCTSkip("python3 is needed") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let serverPy = dir.appendingPathComponent("server.py"), clientPy = dir.appendingPathComponent("client.py")
        try Self.server.write(to: serverPy, atomically: true, encoding: .utf8)
        try Self.client.write(to: clientPy, atomically: true, encoding: .utf8)
        let list = dir.appendingPathComponent("bad.netset")
        try "# test list\n192.0.2.0/24\n\(hosts.addressB) ; SBL-TEST\nnot-an-address\n".write(to: list, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("network_alerts.log"), json = dir.appendingPathComponent("network_alerts.json")
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        let netwatch = try hosts.start(hosts.a, [try netwatchBinary(), "sockets", "--watch", "--interval", "1", "--blocklist", list.path,
                                                 "--log", log.path, "--json-alerts", json.path], output: out, error: err)
        XCTAssertTrue(waitFor("No anomalies detected.", in: out, timeout: 20), String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))
        _ = try hosts.start(hosts.b, ["python3", serverPy.path, hosts.addressB])
        let clientOut = dir.appendingPathComponent("client.out")
        let client = try hosts.start(hosts.a, ["python3", clientPy.path, hosts.addressB], output: clientOut)
        XCTAssertTrue(waitFor("connected 25", in: clientOut, timeout: 30))
        XCTAssertTrue(waitFor("excessive connections", in: json, timeout: 10))
        // An idle minute of scans: the same connections, no new alerts.
        sleep(60)
        TestHosts.interrupt(netwatch)
        XCTAssertEqual(netwatch.terminationStatus, 0)
        let stderr = String(decoding: try Data(contentsOf: err), as: UTF8.self)
        XCTAssertTrue(stderr.contains("\(list.path):4: not an IP address or CIDR network: 'not-an-address' (skipped)"), stderr)
        let alerts = try String(decoding: Data(contentsOf: json), as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(alerts.count, 2, "\(alerts)")
        let pid = Int(client.processIdentifier)
        let listed = try XCTUnwrap(alerts.first { ($0["alert"] as? [String: Any])?["signature"] as? String == "block-listed peer" })
        XCTAssertEqual(listed["pid"] as? Int, pid)
        XCTAssertEqual(listed["process"] as? String, "python3")
        XCTAssertEqual(listed["remote_ip"] as? String, hosts.addressB)
        XCTAssertEqual(listed["remote_port"] as? Int, 9000)
        XCTAssertEqual(listed["local_ip"] as? String, hosts.addressA)
        XCTAssertNotNil(listed["local_port"] as? Int)
        XCTAssertNotNil(listed["timestamp"] as? String)
        XCTAssertTrue((listed["reason"] as? String ?? "").contains("\(list.path):3 (\(hosts.addressB) ; SBL-TEST)"), "\(listed)")
        let excessive = try XCTUnwrap(alerts.first { ($0["alert"] as? [String: Any])?["signature"] as? String == "excessive connections" })
        XCTAssertEqual(excessive["pid"] as? Int, pid)
        XCTAssertEqual(excessive["process"] as? String, "python3")
        XCTAssertEqual(excessive["connections"] as? Int, 25)
        XCTAssertNotNil(excessive["reason"] as? String)
        let logLines = String(decoding: try Data(contentsOf: log), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(logLines.count, 2, logLines.joined(separator: "\n"))
        XCTAssertTrue(logLines.allSatisfy { $0.contains("ALERT") && $0.contains("(pid \(pid))") }, logLines.joined(separator: "\n"))
        let terminal = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        XCTAssertTrue(terminal.contains("OPEN  tcp \(hosts.addressA):"), terminal)
        XCTAssertTrue(terminal.contains("No new anomalies (2 still active)."), terminal)
    }

    /// Issue 24, item 5: the client closes its 25 connections, so each waits in FIN_WAIT2
    /// (owned by no one: the server never closes) on the watched host. That is 25 closed, not 25 closed and
    /// 25 opened, and both alerts end instead of an unknown process staying block-listed.
    func testShutdownIsCloseNotCloseAndOpen() throws {
        guard which("python3") != nil else { throw XCTSkip("python3 is needed") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let serverPy = dir.appendingPathComponent("server.py"), clientPy = dir.appendingPathComponent("client.py")
        try Self.server.write(to: serverPy, atomically: true, encoding: .utf8)
        try Self.client.replacingOccurrences(of: "time.sleep(3600)", with: "time.sleep(4)\nfor c in keep: c.close()\nprint('closed', flush=True)\ntime.sleep(3600)")
            .write(to: clientPy, atomically: true, encoding: .utf8)
        let list = dir.appendingPathComponent("bad.netset")
        try "\(hosts.addressB)\n".write(to: list, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("alerts.json"), out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        let db = dir.appendingPathComponent("history.db").path
        let netwatch = try hosts.start(hosts.a, [try netwatchBinary(), "sockets", "--watch", "--interval", "1", "--blocklist", list.path,
                                                 "--json-alerts", json.path, "--history", db], output: out, error: err)
        XCTAssertTrue(waitFor("No anomalies detected.", in: out, timeout: 20))
        _ = try hosts.start(hosts.b, ["python3", serverPy.path, hosts.addressB])
        let clientOut = dir.appendingPathComponent("client.out")
        _ = try hosts.start(hosts.a, ["python3", clientPy.path, hosts.addressB], output: clientOut)
        XCTAssertTrue(waitFor("closed", in: clientOut, timeout: 30))
        sleep(3)
        TestHosts.interrupt(netwatch)
        let terminal = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        // The server never closes, so the client's side waits in FIN_WAIT2, orphaned: no inode.
        let waiting = try hosts.exec(hosts.a, "ss -tanH state fin-wait-2 | wc -l")
        XCTAssertGreaterThanOrEqual(Int(waiting.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 25, "the client's side waits in FIN_WAIT2")
        let opens = terminal.split(separator: "\n").filter { $0.contains("OPEN  tcp") }.count
        let closes = terminal.split(separator: "\n").filter { $0.contains("CLOSE tcp") }.count
        XCTAssertEqual(opens, 25, terminal)
        XCTAssertEqual(closes, 25, terminal)
        let events = try String(decoding: Data(contentsOf: json), as: UTF8.self).split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["event_type"] as? String ?? ""
        }
        XCTAssertEqual(events.sorted(), ["alert", "alert", "alert_cleared", "alert_cleared"], terminal)
        XCTAssertFalse(terminal.contains("an unknown process connected"), terminal)
        // --history: the same 25 opened and 25 closed, each with its socket, and the same alerts.
        let recorded = try runCommand(try netwatchBinary(), ["history", "sockets", "--db", db, "--json"]).output.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let opened = recorded.filter { $0["event"] as? String == "opened" }
        XCTAssertEqual(opened.count, 25)
        XCTAssertEqual(recorded.filter { $0["event"] as? String == "closed" }.count, 25)
        XCTAssertTrue(opened.allSatisfy { $0["process"] as? String == "python3" && $0["remote_ip"] as? String == hosts.addressB && $0["remote_port"] as? Int == 9000 },
                      "\(opened.first ?? [:])")
        XCTAssertTrue(recorded.allSatisfy { $0["event_type"] as? String == "socket" && $0["timestamp"] is String })
        let storedAlerts = try runCommand(try netwatchBinary(), ["history", "alerts", "--db", db, "--json"]).output
        XCTAssertEqual(storedAlerts, String(decoding: try Data(contentsOf: json), as: UTF8.self))
        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: try runCommand(try netwatchBinary(), ["history", "runs", "--db", db, "--json"]).stdout) as? [String: Any])
        XCTAssertEqual(run["command"] as? String, "sockets --watch")
        XCTAssertNotNil(run["ended"])
    }

    func testMissingBlocklistIsAnError() throws {
        let result = try runCommand(try netwatchBinary(), ["sockets", "--watch", "--blocklist", "/nonexistent/list.netset"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "netwatch: cannot read block list /nonexistent/list.netset: No such file or directory\n")
    }
}
