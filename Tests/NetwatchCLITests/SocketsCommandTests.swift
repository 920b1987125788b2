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
