import Foundation
import NetwatchTestSupport
import XCTest

/// The history store against what the same run wrote as JSON: every shared capture recorded
/// with `--history` reads back (`netwatch history ... --json`) as the very lines the live JSON
/// writers wrote, uids included; its alerts are the golden alerts; its series sum to the
/// capture's totals. Then the files it must refuse.
final class HistoryTests: XCTestCase {
    func testEveryCaptureReadsBackAsItsLiveRecords() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = TestData.root.appendingPathComponent("pcap").path + "/"
        let db = dir.appendingPathComponent("history.db").path
        var captures = 0, flows = 0, alerts = 0
        var totalPackets = 0, totalBytes = 0
        for capture in try TestData.allCaptures() {
            let name = String(capture.dropFirst(root.count)).replacingOccurrences(of: "/", with: "_")
            let conn = dir.appendingPathComponent(name + ".conn.json")
            let one = dir.appendingPathComponent(name + ".db").path
            // Each capture into a database of its own, and all of them into one (runs append).
            let r = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--conn-json", conn.path, "--history", one])
            guard r.status == 0 else {
                // A damaged capture: whatever came before the damage is in both, alike.
                XCTAssertTrue(r.stderr.contains("netwatch: "), "\(name): \(r.stderr)")
                continue
            }
            _ = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", db, "--no-detect"])
            captures += 1
            let live = try String(contentsOf: conn, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"event_type\":\"conn\"") }
            let stored = try runCommand(netwatch, ["history", "flows", "--db", one, "--json"])
            XCTAssertEqual(stored.status, 0, stored.stderr)
            XCTAssertEqual(stored.output.split(separator: "\n").sorted(), live.sorted(), "\(name): stored conn records differ from the live ones")
            flows += live.count
            // The alerts are the golden ones (Golden/alerts, written by `-r FILE --alerts-only`).
            let golden = AlertGoldenTests.goldenDirectory.appendingPathComponent(name + ".jsonl")
            let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? ""
            let storedAlerts = try runCommand(netwatch, ["history", "alerts", "--db", one, "--json"])
            XCTAssertEqual(storedAlerts.output, expected, "\(name): stored alerts differ from Golden/alerts")
            alerts += expected.split(separator: "\n").count
            // The series, per second, minute and hour, each sum to the capture's totals.
            guard let m = r.stderr.firstMatch(of: /netwatch: (\d+) packets, (\d+) bytes/) else { XCTFail("\(name): no totals"); continue }
            let packets = Int(m.1)!, bytes = Int(m.2)!
            totalPackets += packets
            totalBytes += bytes
            for per in ["second", "minute", "hour"] {
                let s = try runCommand(netwatch, ["history", "series", "--db", one, "--per", per, "--json"])
                let rows = s.output.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
                XCTAssertEqual(rows.reduce(0) { $0 + ($1["packets"] as! Int) }, packets, "\(name): packets per \(per)")
                XCTAssertEqual(rows.reduce(0) { $0 + ($1["bytes"] as! Int) }, bytes, "\(name): bytes per \(per)")
            }
        }
        XCTAssertGreaterThan(captures, 90)
        // One database for every capture: a run each, the totals of them all.
        let runs = try runCommand(netwatch, ["history", "runs", "--db", db, "--json"]).output.split(separator: "\n")
        XCTAssertEqual(runs.count, captures)
        let hours = try runCommand(netwatch, ["history", "series", "--db", db, "--per", "hour", "--json"]).output.split(separator: "\n")
            .map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(hours.reduce(0) { $0 + ($1["packets"] as! Int) }, totalPackets)
        XCTAssertEqual(hours.reduce(0) { $0 + ($1["bytes"] as! Int) }, totalBytes)
        print("history: \(captures) captures, \(flows) conn records and \(alerts) alerts read back as written; \(totalPackets) packets in the series")
    }

    /// Queries answer from what was recorded: a host's flows, a top list, the range filters.
    func testQueriesFilterAndRank() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("h.db").path
        let capture = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        XCTAssertEqual(try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", db]).status, 0)
        let all = try runCommand(netwatch, ["history", "flows", "--db", db, "--json"]).output.split(separator: "\n")
        XCTAssertEqual(all.count, 34)
        let host = try runCommand(netwatch, ["history", "flows", "--db", db, "--json", "--host", "208.80.152.118"]).output.split(separator: "\n")
        XCTAssertEqual(host.count, all.filter { $0.contains("\"208.80.152.118\"") }.count)
        XCTAssertGreaterThan(host.count, 0)
        let http = try runCommand(netwatch, ["history", "flows", "--db", db, "--json", "--port", "80", "--proto", "tcp", "--state", "S1"]).output
        XCTAssertTrue(http.contains("\"id.orig_p\":48649"), http)
        // The capture is from 2011: nothing in the last day, everything since 2011-01-01.
        XCTAssertTrue(try runCommand(netwatch, ["history", "flows", "--db", db, "--since", "24h"]).output.hasPrefix("no connections recorded"))
        XCTAssertEqual(try runCommand(netwatch, ["history", "flows", "--db", db, "--json", "--since", "2011-01-01"]).output.split(separator: "\n").count, 34)
        let top = try runCommand(netwatch, ["history", "top", "hosts", "--db", db, "--json", "--top", "3"]).output.split(separator: "\n")
        XCTAssertEqual(top.count, 3)
        XCTAssertTrue(top[0].contains("141.142.220.118"), "the capturing host talks in every flow: \(top[0])")
        let ports = try runCommand(netwatch, ["history", "top", "ports", "--db", db, "--csv"]).output
        XCTAssertTrue(ports.hasPrefix("port,packets,bytes,flows\n"), ports)
        XCTAssertTrue(ports.contains("80/tcp,"), ports)
    }

    /// Files that are not (or not yet) a history database this netwatch can use: one sentence
    /// naming the file, exit 1, the file untouched.
    func testBadFilesAreRefusedAndLeftAlone() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        func refused(_ path: String, _ words: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let before = try? Data(contentsOf: URL(fileURLWithPath: path))
            let r = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", path])
            XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
            XCTAssertTrue(r.stderr.contains(path) && r.stderr.contains(words), r.stderr, file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one sentence: \(r.stderr)", file: file, line: line)
            XCTAssertEqual(try? Data(contentsOf: URL(fileURLWithPath: path)), before, "\(path) was changed", file: file, line: line)
            let q = try runCommand(netwatch, ["history", "flows", "--db", path])
            XCTAssertEqual(q.status, 1, file: file, line: line)
        }
        let text = dir.appendingPathComponent("notes.txt").path
        try String(repeating: "not a database\n", count: 200).write(toFile: text, atomically: true, encoding: .utf8)
        try refused(text, "is not a netwatch history database")
        // An SQLite file of someone else's, and one a newer netwatch wrote.
        let other = dir.appendingPathComponent("other.db").path
        let newer = dir.appendingPathComponent("newer.db").path
        XCTAssertEqual(try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", newer]).status, 0)
        let script = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE t (x)"); c.commit(); c.close()
            c = sqlite3.connect(sys.argv[2]); c.execute("PRAGMA user_version = 99"); c.commit(); c.close()
            """
        let (_, status) = try runTool("python3", ["-c", script, other, newer])
        XCTAssertEqual(status, 0)
        try refused(other, "not a netwatch history database")
        try refused(newer, "written by a newer netwatch")
        // A directory that does not exist.
        let r = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", dir.appendingPathComponent("missing/h.db").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("cannot write the history database"), r.stderr)
        // Reading a database that is not there creates nothing.
        let missing = dir.appendingPathComponent("none.db").path
        let q = try runCommand(netwatch, ["history", "runs", "--db", missing])
        XCTAssertEqual(q.status, 1)
        XCTAssertTrue(q.stderr.contains("no such history database"), q.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }
}
