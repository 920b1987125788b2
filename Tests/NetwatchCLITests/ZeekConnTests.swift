import Foundation
import NetwatchTestSupport
import XCTest

/// Zeek as the peer for connection records: for every capture with Zeek's own conn.log in
/// `zeek-conn/`, `netwatch connections --json` gives the same connections (matched by
/// protocol and endpoints, as btest's uids and times are masked), with the same conn_state,
/// history, packets and IP bytes each way, and tunnel parents that are the same flows.
final class ZeekConnTests: XCTestCase {
    struct Key: Hashable, CustomStringConvertible {
        var proto, origH, origP, respH, respP: String
        var description: String { "\(proto) \(origH):\(origP) → \(respH):\(respP)" }
    }

    /// Zeek's records by key, and uid to key.
    func zeekRecords(_ path: String) throws -> (records: [Key: [String: String]], uids: [String: Key]) {
        var fields: [String] = []
        var records: [Key: [String: String]] = [:]
        var uids: [String: Key] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("#fields") { fields = line.split(separator: "\t").dropFirst().map(String.init) }
            if line.hasPrefix("#") { continue }
            var r: [String: String] = [:]
            for (f, v) in zip(fields, line.split(separator: "\t", omittingEmptySubsequences: false)) { r[f] = String(v) }
            let key = Key(proto: r["proto"]!, origH: r["id.orig_h"]!, origP: r["id.orig_p"]!, respH: r["id.resp_h"]!, respP: r["id.resp_p"]!)
            records[key] = r
            uids[r["uid"]!] = key
        }
        return (records, uids)
    }

    func netwatchRecords(_ capture: String) throws -> (records: [Key: [String: Any]], uids: [String: Key]) {
        let result = try runCommand(try netwatchBinary(), ["connections", "-r", capture, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        var records: [Key: [String: Any]] = [:]
        var uids: [String: Key] = [:]
        for line in result.output.split(separator: "\n") {
            guard let r = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], r["event_type"] as? String == "conn" else { continue }
            let key = Key(proto: r["proto"] as! String, origH: r["id.orig_h"] as! String, origP: "\(r["id.orig_p"]!)",
                          respH: r["id.resp_h"] as! String, respP: "\(r["id.resp_p"]!)")
            records[key] = r
            uids[r["uid"] as! String] = key
        }
        return (records, uids)
    }

    func testConnectionRecordsMatchZeek() throws {
        let folder = try TestData.path("zeek-conn")
        let logs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".conn.log") }.sorted()
        XCTAssertEqual(logs.count, 11)
        var compared = 0
        var tunnelled = 0
        for log in logs {
            let captureName = String(log.dropLast(".conn.log".count))
            let capture = try TestData.allCaptures().first { $0.hasSuffix("/" + captureName) }
            guard let capture else { XCTFail("\(captureName): no such shared capture"); continue }
            let zeek = try zeekRecords(folder + "/" + log)
            let ours = try netwatchRecords(capture)
            // Zeek's conn.log has TCP, UDP and ICMP; GRE and IP-in-IP tunnels go to its tunnel.log.
            let ourKeys = Set(ours.records.keys.filter { ["tcp", "udp", "icmp"].contains($0.proto) })
            // A connection Zeek made from a packet whose TCP header was cut counts nothing; netwatch
            // makes no flow of a packet without a whole transport header.
            let zeekKeys = Set(zeek.records.filter { $0.value["orig_pkts"] != "0" || $0.value["resp_pkts"] != "0" }.keys)
            XCTAssertEqual(ourKeys, zeekKeys, "\(captureName): only netwatch \(ourKeys.subtracting(zeekKeys)), only Zeek \(zeekKeys.subtracting(ourKeys))")
            for key in zeekKeys {
                guard let z = zeek.records[key], let o = ours.records[key] else { continue }
                for field in ["conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"] {
                    // Zeek writes an unset history (ICMP's) as "-", netwatch as "".
                    let theirs = field == "history" && z[field] == "-" ? "" : z[field]
                    XCTAssertEqual(o[field].map { "\($0)" }, theirs, "\(captureName) \(key) \(field)")
                }
                // Tunnel parents: the same outer flow where Zeek logs it (VXLAN, Geneve), a GRE or
                // IP-in-IP flow of netwatch's where Zeek's is in its tunnel.log.
                let zeekParent = z["tunnel_parents"].flatMap { $0 == "-" ? nil : $0 }
                let ourParent = (o["tunnel_parents"] as? [String])?.first
                XCTAssertEqual(ourParent != nil, zeekParent != nil, "\(captureName) \(key) tunnel_parents")
                if let zeekParent, let ourParent {
                    tunnelled += 1
                    let ourParentKey = ours.uids[ourParent]
                    XCTAssertNotNil(ourParentKey, "\(captureName) \(key): parent \(ourParent) has a record")
                    if let parentKey = zeek.uids[zeekParent] {
                        XCTAssertEqual(ourParentKey, parentKey, "\(captureName) \(key) parent")
                    } else if let ourParentKey {
                        XCTAssertEqual(ourParentKey.proto, "unknown_transport", "\(captureName) \(key): a GRE parent")
                    }
                    XCTAssertNotNil(o["encapsulation"], "\(captureName) \(key) encapsulation")
                }
                compared += 1
            }
        }
        XCTAssertGreaterThan(tunnelled, 10)
        print("Zeek conn.log: \(compared) connections compared, \(tunnelled) in tunnels")
    }

    /// A new SYN on a 5-tuple whose connection either side has closed begins a new connection,
    /// as Zeek's connection reuse does: three SYNs from one source port to a closed port (each
    /// refused) are three REJ connections, and a client that connects again from the same
    /// port after the server closed is two SF connections. The earlier ones end as `reused`.
    func testASynOnAClosedConnectionStartsANewOne() throws {
        for tool in ["hping3", "tcpdump", "python3"] where which(tool) == nil { throw XCTSkip("\(tool) is not installed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = dir.appendingPathComponent("reuse.pcap"), err = dir.appendingPathComponent("tcpdump.err")
        // The server closes first, so the client's port is free again at once (the server's
        // side waits in TIME_WAIT, which takes a later SYN).
        _ = try hosts.start(hosts.b, ["python3", "-c", """
            import socket
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('\(hosts.addressB)', 7070)); s.listen()
            while True:
                c, _ = s.accept(); c.sendall(b'hi'); c.close()
            """])
        // Immediate mode and packet-buffered output: tcpdump's default block mode leaves the last
        // packets in the kernel's ring when it is interrupted.
        let dump = try hosts.start(hosts.b, ["tcpdump", "--immediate-mode", "-U", "-i", hosts.interfaceB, "-w", capture.path, "tcp"], error: err)
        XCTAssertTrue(waitFor("listening on", in: err))
        usleep(300_000)
        try hosts.exec(hosts.a, "hping3 -q -S -p 9 -s 40000 -k -c 3 -i u200000 \(hosts.addressB) >/dev/null 2>&1; true")
        let client = dir.appendingPathComponent("client.py")
        try """
            import socket, time
            for _ in range(2):
                c = socket.socket()
                c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                c.bind(('\(hosts.addressA)', 40001))
                c.connect(('\(hosts.addressB)', 7070))
                while c.recv(100):
                    pass
                c.close()
                time.sleep(0.3)
            """.write(to: client, atomically: true, encoding: .utf8)
        try hosts.exec(hosts.a, "python3 \(client.path)")
        usleep(300_000)
        TestHosts.interrupt(dump)
        let result = try runCommand(try netwatchBinary(), ["connections", "-r", capture.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let conns = result.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["event_type"] as? String == "conn" }
        func records(_ port: Int) -> [[String: Any]] { conns.filter { $0["id.orig_p"] as? Int == port && $0["id.orig_h"] as? String == hosts.addressA } }
        let refused = records(40000), again = records(40001)
        XCTAssertEqual(refused.map { $0["conn_state"] as? String }, ["REJ", "REJ", "REJ"], "\(refused)")
        XCTAssertEqual(refused.map { $0["end_reason"] as? String }, ["reused", "reused", "shutdown"])
        XCTAssertEqual(refused.map { $0["orig_pkts"] as? Int }, [1, 1, 1])
        XCTAssertEqual(again.map { $0["conn_state"] as? String }, ["SF", "SF"], "\(again)")
        XCTAssertEqual(again.map { $0["end_reason"] as? String }, ["reused", "shutdown"])
        XCTAssertEqual(Set((refused + again).compactMap { $0["uid"] as? String }).count, 5)
        // Each `new` record too: a new connection is announced as such.
        let opened = result.output.split(separator: "\n").filter { $0.contains("\"event_type\":\"new\"") && $0.contains("\(hosts.addressA)") }
        XCTAssertEqual(opened.count, 5)
    }
}
