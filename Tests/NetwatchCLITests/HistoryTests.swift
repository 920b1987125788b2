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
        let all = try TestData.allCaptures()
        // The captures two at a time (each a process per step, most of the test's time), each
        // into a database of its own; what differs is collected and asserted here.
        let outcomes = CaptureOutcomes(count: all.count)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: all.count, by: 2) {
                let name = String(all[i].dropFirst(root.count)).replacingOccurrences(of: "/", with: "_")
                outcomes.set(i, Self.readBack(all[i], name: name, netwatch: netwatch, dir: dir))
            }
        }
        var captures = 0, flows = 0, alerts = 0
        var totalPackets = 0, totalBytes = 0
        for (i, outcome) in outcomes.all.enumerated() {
            guard let outcome else { XCTFail("\(all[i]): not read"); continue }
            for failure in outcome.failures { XCTFail(failure) }
            guard outcome.recorded else { continue }
            // All of them into one database as well (runs append), one after another.
            _ = try runCommand(netwatch, ["connections", "-q", "-r", all[i], "--history", db, "--no-detect"])
            captures += 1
            flows += outcome.flows
            alerts += outcome.alerts
            totalPackets += outcome.packets
            totalBytes += outcome.bytes
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

    /// What one capture recorded, read back: its failures as messages (asserted by the caller).
    struct ReadBack: Sendable {
        var failures: [String] = []
        /// False for a damaged capture (whatever came before the damage is in both, alike).
        var recorded = false
        var flows = 0, alerts = 0, packets = 0, bytes = 0
    }

    /// The outcomes, filled by two workers.
    final class CaptureOutcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var outcomes: [ReadBack?]
        init(count: Int) { outcomes = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ outcome: ReadBack) { lock.withLock { outcomes[i] = outcome } }
        var all: [ReadBack?] { lock.withLock { outcomes } }
    }

    /// One capture recorded with `--history` and `--conn-json` at once, then read back: the conn
    /// records as the live lines, the alerts as the golden ones, the series as the totals.
    static func readBack(_ capture: String, name: String, netwatch: String, dir: URL) -> ReadBack {
        var out = ReadBack()
        do {
            let conn = dir.appendingPathComponent(name + ".conn.json")
            let one = dir.appendingPathComponent(name + ".db").path
            let r = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--conn-json", conn.path, "--history", one])
            guard r.status == 0 else {
                if !r.stderr.contains("netwatch: ") { out.failures.append("\(name): \(r.stderr)") }
                return out
            }
            out.recorded = true
            let live = try String(contentsOf: conn, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"event_type\":\"conn\"") }
            let stored = try runCommand(netwatch, ["history", "flows", "--db", one, "--json"])
            if stored.status != 0 { out.failures.append("\(name): history flows: \(stored.stderr)") }
            if stored.output.split(separator: "\n").sorted() != live.sorted() { out.failures.append("\(name): stored conn records differ from the live ones") }
            out.flows = live.count
            // The alerts are the golden ones (Golden/alerts, written by `-r FILE --alerts-only`).
            let golden = AlertGoldenTests.goldenDirectory.appendingPathComponent(name + ".jsonl")
            let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? ""
            let storedAlerts = try runCommand(netwatch, ["history", "alerts", "--db", one, "--json"])
            if storedAlerts.output != expected { out.failures.append("\(name): stored alerts differ from Golden/alerts:\n\(storedAlerts.output)\nexpected:\n\(expected)") }
            out.alerts = expected.split(separator: "\n").count
            // The series, per second, minute and hour, each sum to the capture's totals.
            guard let m = r.stderr.firstMatch(of: /netwatch: (\d+) packets, (\d+) bytes/) else {
                out.failures.append("\(name): no totals")
                return out
            }
            out.packets = Int(m.1)!
            out.bytes = Int(m.2)!
            for per in ["second", "minute", "hour"] {
                let s = try runCommand(netwatch, ["history", "series", "--db", one, "--per", per, "--json"])
                let lines = s.output.split(separator: "\n")
                let rows = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                if rows.count != lines.count { out.failures.append("\(name): history series --per \(per) wrote lines that are not JSON objects") }
                let packets = rows.reduce(0) { $0 + ($1["packets"] as? Int ?? 0) }, bytes = rows.reduce(0) { $0 + ($1["bytes"] as? Int ?? 0) }
                if packets != out.packets { out.failures.append("\(name): packets per \(per): \(packets), not \(out.packets)") }
                if bytes != out.bytes { out.failures.append("\(name): bytes per \(per): \(bytes), not \(out.bytes)") }
            }
        } catch {
            out.failures.append("\(name): \(error)")
        }
        return out
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
        // An address as a person may write it: the stored form is found all the same.
        XCTAssertEqual(try runCommand(netwatch, ["history", "flows", "--db", db, "--json", "--host", "FE80::0217:F2FF:FED7:CF65"]).output.split(separator: "\n").count, 1)
        let bad = try runCommand(netwatch, ["history", "flows", "--db", db, "--host", "nonsense"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--host takes an IP address, not 'nonsense'"), bad.stderr)
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
        // On a capture this small every key is in its minute's top rows: the tables sum to
        // exactly what a scan of conn gives.
        for kind in ["hosts", "ports", "conversations"] {
            for by in ["bytes", "packets"] {
                let quick = try runCommand(netwatch, ["history", "top", kind, "--db", db, "--by", by, "--top", "50", "--json"]).output
                let exact = try runCommand(netwatch, ["history", "top", kind, "--db", db, "--by", by, "--top", "50", "--json", "--exact"]).output
                XCTAssertEqual(quick, exact, "top \(kind) --by \(by)")
            }
        }
    }

    /// A file the first history schema (v1, stop 33) wrote: read as it is (by scans), then
    /// brought up to v2 by the next run that records into it, its old rows in the host index
    /// and the top tables.
    func testAVersionOneFileIsReadThenBroughtUp() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("v1.db").path
        let schema = dir.appendingPathComponent("v1.sql")
        try """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE run (id INTEGER PRIMARY KEY, started REAL NOT NULL, ended REAL, command TEXT NOT NULL, interfaces TEXT, file TEXT,
              filter TEXT, host TEXT NOT NULL, version TEXT NOT NULL, packets INTEGER, bytes INTEGER, dropped INTEGER, flows INTEGER,
              alerts INTEGER, records_dropped INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE conn (id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
              ts REAL NOT NULL, uid TEXT NOT NULL, community_id TEXT,
              orig_h TEXT NOT NULL, orig_p INTEGER NOT NULL, resp_h TEXT NOT NULL, resp_p INTEGER NOT NULL,
              proto TEXT NOT NULL, ip_proto INTEGER NOT NULL, service TEXT, duration REAL NOT NULL, orig_bytes INTEGER, resp_bytes INTEGER,
              conn_state TEXT, history TEXT, orig_pkts INTEGER, orig_ip_bytes INTEGER, resp_pkts INTEGER, resp_ip_bytes INTEGER,
              vlan INTEGER, encapsulation TEXT, tunnel_parents TEXT, icmp_errors INTEGER, icmp_last_error INTEGER, end_reason TEXT,
              processes_known INTEGER NOT NULL DEFAULT 0, pid INTEGER, process TEXT, interface TEXT);
            CREATE INDEX conn_ts ON conn(ts);
            CREATE INDEX conn_orig_h ON conn(orig_h, ts);
            CREATE INDEX conn_resp_h ON conn(resp_h, ts);
            CREATE TABLE alert (id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE, ts REAL NOT NULL,
              event_type TEXT NOT NULL, signature TEXT NOT NULL, category TEXT NOT NULL, severity INTEGER NOT NULL, reason TEXT NOT NULL,
              src_ip TEXT, src_port INTEGER, dest_ip TEXT, dest_port INTEGER, proto TEXT, community_id TEXT, pid INTEGER, process TEXT,
              socket_alert INTEGER NOT NULL DEFAULT 0, local_ip TEXT, local_port INTEGER, remote_ip TEXT, remote_port INTEGER,
              connections INTEGER, details TEXT NOT NULL DEFAULT '{}');
            CREATE INDEX alert_ts ON alert(ts);
            CREATE TABLE traffic (resolution INTEGER NOT NULL, t INTEGER NOT NULL, packets INTEGER NOT NULL, bytes INTEGER NOT NULL,
              tcp INTEGER NOT NULL, udp INTEGER NOT NULL, icmp INTEGER NOT NULL, other INTEGER NOT NULL, dropped INTEGER NOT NULL,
              PRIMARY KEY (resolution, t)) WITHOUT ROWID;
            INSERT INTO run VALUES (1, 1300000000, 1300000100, 'connections', NULL, 'old.pcap', NULL, 'h', '1.0', 10, 1000, 0, 3, 0, 0);
            INSERT INTO conn (run, ts, uid, orig_h, orig_p, resp_h, resp_p, proto, ip_proto, duration, orig_pkts, orig_ip_bytes,
                              resp_pkts, resp_ip_bytes, conn_state, history)
              VALUES (1, 1300000001, 'Cold1', '10.1.1.1', 40000, '192.0.2.80', 80, 'tcp', 6, 1.5, 4, 400, 4, 4000, 'SF', 'ShADadFf'),
                     (1, 1300000002, 'Cold2', '10.1.1.1', 40001, '192.0.2.80', 443, 'tcp', 6, 2.5, 6, 600, 6, 6000, 'SF', 'ShADadFf'),
                     (1, 1300000003, 'Cold3', '10.1.1.2', 40002, '2001:db8::80', 443, 'tcp', 6, 0.5, 2, 200, 2, 2000, 'SF', 'ShADadFf');
            """.write(to: schema, atomically: true, encoding: .utf8)
        let script = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("PRAGMA auto_vacuum = INCREMENTAL"); c.execute("VACUUM"); c.execute("PRAGMA journal_mode = WAL")
            c.executescript(open(sys.argv[2]).read())
            c.execute("PRAGMA application_id = 1853319283"); c.execute("PRAGMA user_version = 1"); c.close()
            """
        XCTAssertEqual(try runTool("python3", ["-c", script, db, schema.path]).status, 0)
        func flows(_ host: String) throws -> Int {
            try runCommand(netwatch, ["history", "flows", "--db", db, "--host", host, "--json"]).output.split(separator: "\n").count
        }
        XCTAssertEqual(try flows("10.1.1.1"), 2)
        XCTAssertEqual(try flows("2001:DB8::80"), 1)
        let old = try runCommand(netwatch, ["history", "top", "hosts", "--db", db, "--json"]).output
        // 10.1.1.1 and 192.0.2.80 tie (both ends of the same two flows): by name.
        // (Hosts carry bytes sent and received, as the web API's top lists do.)
        XCTAssertTrue(old.hasPrefix("{\"host\":\"10.1.1.1\",\"packets\":20,\"bytes\":11000,\"flows\":2,\"sent_bytes\":1000,\"received_bytes\":10000}\n{\"host\":\"192.0.2.80\""), old)
        // A run records into it: v2, the old rows indexed and in the top tables.
        let capture = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let r = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", db])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try flows("10.1.1.1"), 2)
        XCTAssertEqual(try flows("2001:db8::80"), 1)
        XCTAssertEqual(try flows("208.80.152.118"), 1)
        let quick = try runCommand(netwatch, ["history", "top", "hosts", "--db", db, "--json", "--top", "50"]).output
        XCTAssertEqual(quick, try runCommand(netwatch, ["history", "top", "hosts", "--db", db, "--json", "--top", "50", "--exact"]).output)
        XCTAssertTrue(quick.contains("\"host\":\"10.1.1.1\""), quick)
        XCTAssertEqual(try runCommand(netwatch, ["history", "runs", "--db", db, "--json"]).output.split(separator: "\n").count, 2)
        // v3 filled in what the report reads for the old rows: directions, states, services,
        // distinct hosts, the old run's span.
        let report = try runCommand(netwatch, ["report", "--db", db, "--since", "1300000000", "--until", "1300000100", "--format", "json"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let j = try XCTUnwrap(JSONSerialization.jsonObject(with: report.stdout) as? [String: Any])
        let summary = j["summary"] as? [String: Any] ?? [:]
        XCTAssertEqual(summary["flows"] as? Int, 3)
        XCTAssertEqual(summary["hosts"] as? Int, 4)
        XCTAssertEqual(summary["runs"] as? Int, 1)
        let first = (j["top_hosts"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(first["ip"] as? String, "10.1.1.1")
        XCTAssertEqual(first["sent_bytes"] as? Int, 1000)
        XCTAssertEqual(first["received_bytes"] as? Int, 10000)
        XCTAssertEqual((j["outcomes"] as? [String: Any])?["conn_state"] as? [String: Int], ["SF": 3])
        XCTAssertEqual((j["services"] as? [[String: Any]])?.first?["flows"] as? Int, 3)
    }

    /// `timeline --history` records the same conn records as `connections --history`.
    func testTimelineRecordsTheSameFlows() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let a = dir.appendingPathComponent("a.db").path, b = dir.appendingPathComponent("b.db").path
        XCTAssertEqual(try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", a]).status, 0)
        XCTAssertEqual(try runCommand(netwatch, ["timeline", "-r", capture, "--scroll", "--history", b]).status, 0)
        // The uids are salted per run: compare the records without them.
        func records(_ db: String) throws -> [String] {
            try runCommand(netwatch, ["history", "flows", "--db", db, "--json"]).output.split(separator: "\n").map {
                $0.replacingOccurrences(of: #""uid":"C[0-9A-Za-z]+","#, with: "", options: .regularExpression)
            }
        }
        let timeline = try records(b)
        XCTAssertEqual(timeline.count, 34)
        XCTAssertEqual(timeline, try records(a))
        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: try runCommand(netwatch, ["history", "runs", "--db", b, "--json"]).stdout) as? [String: Any])
        XCTAssertEqual(run["command"] as? String, "timeline")
    }

    /// With a GeoIP database the writer adds each end's country: they match the DB-IP CSV
    /// (looked up by Python's ipaddress module as the oracle), and `top countries` sums them.
    func testGeoIPColumnsAndTopCountries() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("geo.db").path
        let capture = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let geo = TestData.root.appendingPathComponent("geoip").path
        let r = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", db, "--geo-path", geo], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        let records = try runCommand(netwatch, ["history", "flows", "--db", db, "--json"]).output.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(records.count, 34)
        var addresses: [String: String] = [:]
        for r in records {
            if let h = r["id.orig_h"] as? String { addresses[h] = r["orig_cc"] as? String ?? "-" }
            if let h = r["id.resp_h"] as? String { addresses[h] = r["resp_cc"] as? String ?? "-" }
        }
        let script = """
            import bisect, csv, ipaddress, sys
            rows = []
            for name in ("dbip-country-lite-ipv4.csv", "dbip-country-lite-ipv6.csv"):
                for first, last, cc in csv.reader(open(sys.argv[1] + "/" + name)):
                    a, b = ipaddress.ip_address(first), ipaddress.ip_address(last)
                    rows.append((a.version, int(a), int(b), cc))
            rows.sort(); keys = [(v, a) for v, a, _, _ in rows]
            for text in sys.argv[2:]:
                ip = ipaddress.ip_address(text); i = bisect.bisect_right(keys, (ip.version, int(ip))) - 1
                ok = i >= 0 and rows[i][0] == ip.version and rows[i][1] <= int(ip) <= rows[i][2] and rows[i][3] not in ("ZZ", "")
                print(text, rows[i][3] if ok else "-")
            """
        let (oracle, status) = try runTool("python3", ["-c", script, geo] + addresses.keys.sorted())
        XCTAssertEqual(status, 0)
        var expected: [String: String] = [:]
        for line in oracle.split(separator: "\n") {
            let f = line.split(separator: " ")
            expected[String(f[0])] = String(f[1])
        }
        XCTAssertEqual(addresses, expected)
        XCTAssertGreaterThan(addresses.values.filter { $0 != "-" }.count, 3)
        let quick = try runCommand(netwatch, ["history", "top", "countries", "--db", db, "--json"]).output
        XCTAssertEqual(quick, try runCommand(netwatch, ["history", "top", "countries", "--db", db, "--json", "--exact"]).output)
        XCTAssertTrue(quick.hasPrefix("{\"country\":\"US\""), quick)
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
        // A netwatch database damaged in its middle: refused, and `history check` says so.
        let damaged = dir.appendingPathComponent("damaged.db").path
        XCTAssertEqual(try runCommand(netwatch, ["history", "bench", "--db", damaged, "--records", "20000"]).status, 0)
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: damaged))
        let size = try handle.seekToEnd()
        for offset in stride(from: UInt64(8192), to: size, by: 65536) {
            try handle.seek(toOffset: offset)
            handle.write(Data(repeating: 0xA5, count: 4096))
        }
        try handle.close()
        let checked = try runCommand(netwatch, ["history", "check", "--db", damaged])
        XCTAssertEqual(checked.status, 1)
        XCTAssertTrue(checked.output.contains("DAMAGED") || checked.stderr.contains("is damaged"), checked.output + checked.stderr)
        try refused(damaged, "is damaged")
        // A database another program holds the write lock of (longer than the 5 s netwatch waits).
        let locked = dir.appendingPathComponent("locked.db").path
        XCTAssertEqual(try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", locked]).status, 0)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: try XCTUnwrap(which("python3")))
        holder.arguments = ["-c", "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(9)", locked]
        let ready = Pipe()
        holder.standardOutput = ready
        try holder.run()
        _ = ready.fileHandleForReading.availableData
        let before = try Data(contentsOf: URL(fileURLWithPath: locked))
        let r0 = try runCommand(netwatch, ["connections", "-q", "-r", capture, "--history", locked])
        XCTAssertEqual(r0.status, 1, r0.stderr)
        XCTAssertTrue(r0.stderr.contains(locked) && r0.stderr.contains("is locked by another writer"), r0.stderr)
        XCTAssertEqual(r0.stderr.split(separator: "\n").count, 1, r0.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: locked)), before)
        // Readers are not held up by the writer's lock (WAL).
        XCTAssertEqual(try runCommand(netwatch, ["history", "runs", "--db", locked]).status, 0)
        holder.terminate()
        holder.waitUntilExit()
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
