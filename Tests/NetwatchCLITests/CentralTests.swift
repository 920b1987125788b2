import Foundation
import NetwatchTestSupport
import XCTest

/// The central PostgreSQL (issue 28): several sensors write into one database at once, and
/// each sensor's records read back exactly as its own SQLite file of the same traffic; the
/// server going away mid-run loses nothing the queue held and counts what it could not hold.
final class CentralTests: XCTestCase {
    /// JSON lines without what differs between two runs of the same traffic: the uid (salted
    /// per run) and the sensor (only the central database's rows carry one).
    func normalized(_ text: String) -> [String] {
        text.split(separator: "\n").map {
            String($0).replacingOccurrences(of: #""uid":"[^"]*","#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #""sensor":"[^"]*","#, with: "", options: .regularExpression)
        }
    }

    func history(_ arguments: [String], password: String? = nil) throws -> String {
        let r = try runCommand(try netwatchBinary(), ["history"] + arguments, environment: password.map { ["PGPASSWORD": $0] } ?? [:])
        XCTAssertEqual(r.status, 0, "history \(arguments): \(r.stderr)")
        return r.output
    }

    /// One sensor's records in the central database against its own SQLite file: flows,
    /// alerts, top lists and the per-second series. `live`: the two were two captures of the
    /// same link, whose kernel timestamps differ by microseconds: times are left out, the
    /// series compared in total, alerts by what they say.
    func assertSameHistory(_ pg: TestPostgres, sensor: String, file: String, live: Bool = false, line: UInt = #line) throws {
        let central = ["--db", pg.url, "--sensor", sensor]
        let local = ["--db", file]
        func timeless(_ lines: [String]) -> [String] {
            guard live else { return lines }
            return lines.map {
                $0.replacingOccurrences(of: #""(ts|duration)":[0-9.]+,"#, with: "", options: .regularExpression)
            }.sorted()
        }
        let flows = timeless(normalized(try history(["flows", "--json"] + central, password: pg.password)))
        let reference = timeless(normalized(try history(["flows", "--json"] + local)))
        XCTAssertEqual(flows, reference, "\(sensor): flows only in the database: \(flows.filter { !reference.contains($0) }); only in the file: \(reference.filter { !flows.contains($0) })", line: line)
        XCTAssertFalse(flows.isEmpty, sensor, line: line)
        func alerts(_ args: [String]) throws -> [String] {
            let lines = normalized(try history(["alerts", "--json"] + args, password: pg.password))
            guard live else { return lines }
            return lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map {
                "\($0["event_type"] ?? "") \(($0["alert"] as? [String: Any])?["signature"] ?? "") \($0["src_ip"] ?? "") \($0["dest_ip"] ?? "")"
            }
        }
        XCTAssertEqual(try alerts(central), try alerts(local), "\(sensor): alerts", line: line)
        for kind in ["hosts", "ports", "services", "states"] {
            XCTAssertEqual(try history(["top", kind, "--json"] + central, password: pg.password), try history(["top", kind, "--exact", "--json"] + local),
                           "\(sensor): top \(kind)", line: line)
        }
        let series = try history(["series", "--per", "second", "--json"] + central, password: pg.password)
        let localSeries = try history(["series", "--per", "second", "--json"] + local)
        if live {
            func total(_ text: String, _ key: String) -> Int {
                text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.reduce(0) { $0 + ($1[key] as? Int ?? 0) }
            }
            for key in ["packets", "bytes"] { XCTAssertEqual(total(series, key), total(localSeries, key), "\(sensor): series \(key)", line: line) }
        } else {
            XCTAssertEqual(series, localSeries, "\(sensor): series", line: line)
        }
    }

    /// Three sensors replay three captures into the database at the same time, each with its
    /// password from another place (PGPASSWORD, a file option, ~/.pgpass); then each reads
    /// back as the SQLite file of the same capture, and the fleet view names all three.
    func testThreeSensorsWriteAtOnceAndEachReadsBackAsItsOwnFile() throws {
        let pg = try TestPostgres()
        defer { pg.tearDown() }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let passwordFile = dir.appendingPathComponent("pw")
        try "\(pg.password)\n".write(to: passwordFile, atomically: true, encoding: .utf8)
        let pgpass = dir.appendingPathComponent("pgpass")
        try "# host:port:database:user:password\nlocalhost:\(pg.port):netwatch:netwatch:\(pg.password)\n".write(to: pgpass, atomically: true, encoding: .utf8)
        chmod(pgpass.path, 0o600)
        let sensors = [("gw-1", "pcap/mixed/sgr_trevisi_generic.pcapng"), ("gw-2", "pcap/attack/cs_nmap_synscan.pcapng"), ("gw-3", "pcap/mixed/zeek_wikipedia.pcap")]
        var running: [(String, Process, URL)] = []
        for (i, (sensor, capture)) in sensors.enumerated() {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: netwatch)
            var arguments = ["capture", "-r", try TestData.path(capture), "-q", "--history", pg.url, "--sensor", sensor]
            var env = ProcessInfo.processInfo.environment
            env["PGPASSWORD"] = nil
            switch i {
            case 0: env["PGPASSWORD"] = pg.password
            case 1: arguments += ["--history-password-file", passwordFile.path]
            default: env["PGPASSFILE"] = pgpass.path
            }
            p.arguments = arguments
            p.environment = env
            let err = dir.appendingPathComponent("\(sensor).err")
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: err)
            try p.run()
            running.append((sensor, p, err))
        }
        for (sensor, p, err) in running {
            p.waitUntilExit()
            let log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            XCTAssertEqual(p.terminationStatus, 0, "\(sensor): \(log)")
            XCTAssertNotNil(log.range(of: #"history to postgresql://netwatch@/netwatch\?host=\S+ as sensor \#(sensor): \d+ records written, 0 not delivered"#,
                                      options: .regularExpression), log)
        }
        for (sensor, capture) in sensors {
            let file = dir.appendingPathComponent("\(sensor).db").path
            let r = try runCommand(netwatch, ["capture", "-r", try TestData.path(capture), "-q", "--history", file])
            XCTAssertEqual(r.status, 0, r.stderr)
            try assertSameHistory(pg, sensor: sensor, file: file)
        }
        XCTAssertFalse(try history(["alerts", "--json", "--db", pg.url, "--sensor", "gw-2"], password: pg.password).isEmpty, "the SYN scan alerts")
        // The fleet: every sensor with its own totals; over TCP too.
        let fleet = try history(["sensors", "--json", "--db", pg.tcpURL, "--password-file", passwordFile.path])
        let rows = fleet.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(rows.map { $0["sensor"] as? String }, ["gw-1", "gw-2", "gw-3"], fleet)
        for (row, (sensor, _)) in zip(rows, sensors) {
            let local = try history(["flows", "--json", "--db", dir.appendingPathComponent("\(sensor).db").path]).split(separator: "\n").count
            XCTAssertEqual(row["flows"] as? Int, local, sensor)
        }
        // One address, as the sensors that saw it saw it: the scanner only in gw-2's capture.
        let scanner = try history(["sensors", "--json", "--db", pg.url, "--host", "172.16.0.8"], password: pg.password)
        XCTAssertEqual(scanner.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map { $0["sensor"] as? String }, ["gw-2"], scanner)
        XCTAssertTrue(try history(["sensors", "--json", "--db", pg.url, "--host", "172.16.0.8", "--sensor", "gw-1"], password: pg.password).isEmpty)
        let all = try history(["flows", "--db", pg.url], password: pg.password)
        for (sensor, _) in sensors { XCTAssertTrue(all.contains("\n\(sensor) "), "the fleet's flows name \(sensor)") }
        XCTAssertEqual(try pg.psql("SELECT count(DISTINCT sensor) FROM run").trimmingCharacters(in: .whitespacesAndNewlines), "3")

        // The report: one sensor's equals its file's; the fleet's names all three and sums them.
        func report(_ db: [String]) throws -> [String: Any] {
            let r = try runCommand(netwatch, ["report", "--since", "2000-01-01", "--until", "2030-01-01", "--format", "json"] + db, environment: ["PGPASSWORD": pg.password])
            XCTAssertEqual(r.status, 0, r.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], r.stderr)
        }
        /// Without what differs by database (source, sensors, uids), equal-bytes ties in key order.
        func comparable(_ r: [String: Any]) -> String {
            var r = r
            r["source"] = nil
            r["notes"] = nil    // the SQLite file's note on its bounded top tables
            var summary = r["summary"] as? [String: Any] ?? [:]
            summary["sensors"] = nil
            r["summary"] = summary
            for (k, v) in r {
                if let list = v as? [[String: Any]], list.first?["key"] != nil {
                    // The last place's ties are cut differently (collations differ): left out.
                    let least = list.map { $0["bytes"] as? Int ?? 0 }.min() ?? 0
                    r[k] = list.filter { ($0["bytes"] as? Int ?? 0) > least || list.count < 10 }
                        .sorted { ($0["bytes"] as? Int ?? 0, $1["key"] as? String ?? "") > ($1["bytes"] as? Int ?? 0, $0["key"] as? String ?? "") }
                }
            }
            let data = try? JSONSerialization.data(withJSONObject: r, options: [.sortedKeys])
            return String(decoding: data ?? Data(), as: UTF8.self).replacingOccurrences(of: #""C[0-9A-Za-z]{11}""#, with: "\"uid\"", options: .regularExpression)
        }
        var sums = [String: Int]()
        for (sensor, _) in sensors {
            let local = try report(["--db", dir.appendingPathComponent("\(sensor).db").path])
            let central = try report(["--db", pg.url, "--sensor", sensor])
            XCTAssertEqual(comparable(central), comparable(local), "\(sensor): report")
            XCTAssertEqual((central["summary"] as? [String: Any])?["sensors"] as? [String], [sensor])
            for key in ["flows", "packets", "bytes"] { sums[key, default: 0] += (local["summary"] as? [String: Any])?[key] as? Int ?? 0 }
        }
        let fleetReport = try report(["--db", pg.url])
        let summary = fleetReport["summary"] as? [String: Any] ?? [:]
        XCTAssertEqual(summary["sensors"] as? [String], ["gw-1", "gw-2", "gw-3"])
        for key in ["flows", "packets", "bytes"] { XCTAssertEqual(summary[key] as? Int, sums[key], "fleet report: \(key)") }
        let html = try runCommand(netwatch, ["report", "--since", "2000-01-01", "--db", pg.url, "-o", dir.appendingPathComponent("fleet.html").path],
                                  environment: ["PGPASSWORD": pg.password])
        XCTAssertEqual(html.status, 0, html.stderr)
        let page = try String(contentsOf: dir.appendingPathComponent("fleet.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<dt>Sensors</dt><dd>gw-1, gw-2, gw-3</dd>"), "the fleet report names its sensors")

        try assertServeShowsTheFleet(pg, sensors: sensors.map(\.0), files: dir)
    }

    /// A JSON object without what differs between the central database and a file of the same
    /// traffic (the run's uid salt, the sensor, the alert's row id), as comparable text.
    func comparableObject(_ o: [String: Any]) -> String {
        var o = o
        for k in ["uid", "sensor", "alert_id"] { o[k] = nil }
        let data = try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// `serve` over the central database: the API's flows and alerts per sensor are that
    /// sensor's own file's, the fleet view names every sensor, a host page says which sensors
    /// saw the host, the pages carry a sensor column; `--sensor` narrows it all to one.
    func assertServeShowsTheFleet(_ pg: TestPostgres, sensors: [String], files dir: URL) throws {
        setenv("PGPASSWORD", pg.password, 1)
        defer { unsetenv("PGPASSWORD") }
        let server = try startServer(["serve", "--db", pg.url], dir: dir)
        defer { TestHosts.interrupt(server.process) }
        let fleet = try get(server.base + "/api/v1/sensors")
        XCTAssertEqual(fleet.status, 200, fleet.body)
        let rows = fleet.json["sensors"] as? [[String: Any]] ?? []
        XCTAssertEqual(rows.map { $0["sensor"] as? String }, sensors, fleet.body)
        for sensor in sensors {
            let file = dir.appendingPathComponent("\(sensor).db").path
            let localFlows = try history(["flows", "--json", "--db", file]).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map(comparableObject).sorted()
            var served: [String] = []
            for page in 0..<20 {
                let r = try get(server.base + "/api/v1/flows?sensor=\(sensor)&limit=1000&offset=\(page * 1000)")
                XCTAssertEqual(r.status, 200, r.body)
                let flows = r.json["flows"] as? [[String: Any]] ?? []
                XCTAssertTrue(flows.allSatisfy { $0["sensor"] as? String == sensor }, "\(sensor): another sensor's flow")
                served += flows.map(comparableObject)
                if flows.count < 1000 { break }
            }
            XCTAssertEqual(served.sorted(), localFlows, "\(sensor): the API's flows against its own file's")
            XCTAssertEqual(rows.first { $0["sensor"] as? String == sensor }?["flows"] as? Int, localFlows.count, sensor)
            let localAlerts = try history(["alerts", "--json", "--db", file]).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map(comparableObject).sorted()
            let alerts = try get(server.base + "/api/v1/alerts?sensor=\(sensor)&limit=1000").json["alerts"] as? [[String: Any]] ?? []
            XCTAssertEqual(alerts.map(comparableObject).sorted(), localAlerts, "\(sensor): the API's alerts")
            let page = try get(server.base + "/flows?sensor=\(sensor)")
            XCTAssertEqual(page.status, 200)
            XCTAssertTrue(page.body.contains("<th>sensor</th>") && page.body.contains("<td>\(sensor)</td>"), "\(sensor): the flows page's sensor column")
            XCTAssertFalse(sensors.filter { $0 != sensor }.contains { page.body.contains("<td>\($0)</td>") }, "\(sensor): another sensor's flow on its page")
        }
        let alertsPage = try get(server.base + "/alerts")
        XCTAssertTrue(alertsPage.body.contains("<td>gw-2</td>"), "the alerts page names the scan's sensor")
        // A host of the newest capture (the pages' "now" is the newest data): the sensor that saw it.
        let newest = try XCTUnwrap(rows.max { ($0["last"] as? String ?? "") < ($1["last"] as? String ?? "") }?["sensor"] as? String)
        let one = try get(server.base + "/api/v1/flows?sensor=\(newest)&limit=1").json["flows"] as? [[String: Any]] ?? []
        let host = try XCTUnwrap(one.first?["id.orig_h"] as? String)
        let facts = try get(server.base + "/api/v1/hosts/\(host)")
        XCTAssertEqual((facts.json["sensors"] as? [[String: Any]])?.map { $0["sensor"] as? String }, [newest], facts.body)
        let hostPage = try get(server.base + "/hosts/\(host)")
        XCTAssertTrue(hostPage.body.contains("<h2>Seen by</h2>") && hostPage.body.contains(">\(newest)</a>"), "the host page's sensors")
        let overview = try get(server.base + "/")
        XCTAssertEqual(overview.status, 200)
        XCTAssertTrue(overview.body.contains("<h3>Sensors</h3>"), "the overview's sensors")
        try assertRequestsQueryAtOnce(pg, server)

        // Narrowed to one sensor: nothing of another's, even when asked for.
        let narrow = try startServer(["serve", "--db", pg.url, "--sensor", "gw-3"], dir: dir)
        defer { TestHosts.interrupt(narrow.process) }
        let own = try get(narrow.base + "/api/v1/flows?limit=1000").json["flows"] as? [[String: Any]] ?? []
        XCTAssertFalse(own.isEmpty)
        XCTAssertTrue(own.allSatisfy { $0["sensor"] as? String == "gw-3" })
        XCTAssertEqual((try get(narrow.base + "/api/v1/flows?sensor=gw-2").json["flows"] as? [Any])?.count, 0)
        XCTAssertEqual((try get(narrow.base + "/api/v1/alerts?sensor=gw-2").json["alerts"] as? [Any])?.count, 0)
        XCTAssertEqual((try get(narrow.base + "/api/v1/sensors").json["sensors"] as? [[String: Any]])?.map { $0["sensor"] as? String }, ["gw-3"])
    }

    /// Requests at once each query on a connection of their own: with conn locked, two API
    /// requests wait inside PostgreSQL side by side (on one connection, the second would wait
    /// behind the first in netwatch), and both answer once the lock goes.
    func assertRequestsQueryAtOnce(_ pg: TestPostgres, _ server: Server) throws {
        guard ProcessInfo.processInfo.activeProcessorCount >= 2 else {
            print("skipped: requests at once need two cores (the web server answers as many at once as it has)")
            return
        }
        let lock = Process()
        lock.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        lock.arguments = ["-h", pg.directory.path, "-p", "\(pg.port)", "-U", "postgres", "-d", "netwatch", "-c",
                          "BEGIN; LOCK TABLE conn IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;"]
        lock.environment = ["PGPASSWORD": "postgres-superuser"]
        lock.standardOutput = FileHandle.nullDevice
        try lock.run()
        defer { lock.waitUntilExit() }
        func count(_ sql: String) throws -> Int { Int(try pg.psql(sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        var held = false
        for _ in 0..<100 where !held {
            held = try count("SELECT count(*) FROM pg_locks WHERE relation = 'conn'::regclass AND mode = 'AccessExclusiveLock' AND granted") == 1
            if !held { usleep(20_000) }
        }
        XCTAssertTrue(held, "psql never held the lock")
        // Two curls at once, each asking for a page of flows (conn, locked).
        let requests = try [0, 1].map { offset -> (Process, Pipe) in
            let curl = Process(), out = Pipe()
            curl.executableURL = URL(fileURLWithPath: try XCTUnwrap(which("curl")))
            curl.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30", server.base + "/api/v1/flows?limit=1&offset=\(offset)"]
            curl.standardOutput = out
            try curl.run()
            return (curl, out)
        }
        var waiting = 0
        for _ in 0..<100 where waiting < 2 {
            waiting = max(waiting, try count("SELECT count(*) FROM pg_stat_activity WHERE usename = 'netwatch' AND wait_event_type = 'Lock'"))
            if waiting < 2 { usleep(20_000) }
        }
        XCTAssertEqual(waiting, 2, "requests waiting on the lock inside PostgreSQL, each on its own connection")
        let answered = requests.map { curl, out in
            curl.waitUntilExit()
            return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        XCTAssertEqual(answered, ["200", "200"], "both requests answered once the lock went")
    }

    /// What an operator gets wrong: a password in the URL, a wrong password, no server, a
    /// database that is not there; one sentence each, exit 1, nothing captured.
    func testBadURLsAndPasswordsAreOneSentence() throws {
        let pg = try TestPostgres()
        defer { pg.tearDown() }
        let netwatch = try netwatchBinary()
        let capture = try TestData.path("pcap/mixed/cs_http_google.pcapng")
        let cases: [(String, [String: String], String)] = [
            ("postgresql://netwatch:\(pg.password)@127.0.0.1:\(pg.port)/netwatch", [:], "a password in the URL would show in the process list"),
            (pg.tcpURL, ["PGPASSWORD": "wrong"], "password authentication failed"),
            ("postgresql://netwatch@127.0.0.1:1/netwatch", ["PGPASSWORD": pg.password], "cannot connect to postgresql://netwatch@127.0.0.1:1/netwatch"),
            ("postgresql://netwatch@127.0.0.1:\(pg.port)/nothere", ["PGPASSWORD": pg.password], "database \"nothere\" does not exist"),
            (pg.tcpURL + "?sslmode=require", ["PGPASSWORD": pg.password], "does not offer TLS"),
            (pg.tcpURL + "?sslmode=sometimes", [:], "sslmode takes disable, allow, prefer, require, verify-ca, verify-full"),
        ]
        for (url, env, message) in cases {
            let r = try runCommand(netwatch, ["capture", "-r", capture, "-q", "--history", url], environment: env)
            XCTAssertEqual(r.status, 1, url)
            XCTAssertTrue(r.stderr.contains(message), "\(url): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains(pg.password), "the password is never printed")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.output.isEmpty)
        }

        // The config file: the URL as it is (not a file beside the config), the password file
        // beside it, the sensor's name; a bad name is its file and line.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "\(pg.password)\n".write(to: dir.appendingPathComponent("pw"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("netwatch.yaml")
        try "outputs:\n  history: \(pg.tcpURL)\n  history_password_file: pw\n  sensor: from-config\n".write(to: config, atomically: true, encoding: .utf8)
        let r = try runCommand(netwatch, ["capture", "-r", capture, "-q", "--config", config.path], environment: ["PGPASSWORD": ""])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("as sensor from-config: "), r.stderr)
        XCTAssertTrue(try history(["sensors", "--db", pg.url], password: pg.password).contains("from-config"))
        try "outputs:\n  sensor: \"gw\\\"1\"\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try runCommand(netwatch, ["capture", "-r", capture, "-q", "--config", config.path])
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("\(config.path):2: outputs.sensor: a sensor name has 1 to 64 characters"), bad.stderr)
    }

    /// Three test hosts, each watched by a sensor of its own (its traffic: curl, DNS, and an
    /// nmap scan on the third), all writing into the database at once; beside each, a second
    /// netwatch on the same interface writes a SQLite file. Each sensor's records in the
    /// database are exactly those of its file.
    func testThreeSensorsOnTestHostsMatchTheirOwnSQLiteRuns() throws {
        guard which("curl") != nil else { throw XCTSkip("curl is not installed (scripts/setup --test installs it)") }
        guard which("nmap") != nil else { throw XCTSkip("nmap is not installed (scripts/setup --test installs it)") }
        let pg = try TestPostgres()
        defer { pg.tearDown() }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try shell("chmod 755 \(dir.path)")
        let script = dir.appendingPathComponent("dns.py")
        try dnsResponderScript.write(to: script, atomically: true, encoding: .utf8)
        var pairs: [TestHosts] = []
        defer { for h in pairs { h.tearDown() } }
        var sensors: [Process] = []
        for i in 0..<3 {
            let hosts = try TestHosts()
            pairs.append(hosts)
            let ready = dir.appendingPathComponent("dns\(i).out")
            _ = try hosts.start(hosts.b, ["python3", script.path, hosts.addressB], output: ready)
            _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "80", "--bind", hosts.addressB, "--directory", dir.path])
            XCTAssertTrue(waitFor("ready", in: ready))
            let central = dir.appendingPathComponent("central\(i).err"), local = dir.appendingPathComponent("local\(i).err")
            setenv("PGPASSWORD", pg.password, 1)
            sensors.append(try hosts.start(hosts.b, [netwatch, "connections", "-i", hosts.interfaceB, "-q", "--no-processes",
                                                     "--history", pg.url, "--sensor", "host-\(i)"], error: central))
            sensors.append(try hosts.start(hosts.b, [netwatch, "connections", "-i", hosts.interfaceB, "-q", "--no-processes",
                                                     "--history", dir.appendingPathComponent("host-\(i).db").path], error: local))
            XCTAssertTrue(waitFor("capturing on", in: central), (try? String(contentsOf: central, encoding: .utf8)) ?? "")
            XCTAssertTrue(waitFor("capturing on", in: local))
        }
        usleep(500_000)
        for (i, hosts) in pairs.enumerated() {
            for _ in 0...i { try hosts.exec(hosts.a, "curl -s -o /dev/null http://\(hosts.addressB)/") }
            try hosts.exec(hosts.a, "python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); s.sendto(bytes.fromhex('abcd01000001000000000000') + b'\\x04host\\x04tst\(i)\\x00\\x00\\x01\\x00\\x01', ('\(hosts.addressB)', 53)); s.recv(512)\"")
            if i == 2 { try hosts.exec(hosts.a, "nmap -n -Pn -sS -p 1-79,81-300 \(hosts.addressB) >/dev/null") }
        }
        sleep(7)  // closed connections end 5 s after their last packet
        for p in sensors { TestHosts.interrupt(p) }
        for p in sensors { XCTAssertEqual(p.terminationStatus, 0) }
        for i in 0..<3 {
            try assertSameHistory(pg, sensor: "host-\(i)", file: dir.appendingPathComponent("host-\(i).db").path, live: true)
            let web = try history(["flows", "--json", "--port", "80", "--db", pg.url, "--sensor", "host-\(i)"], password: pg.password)
            XCTAssertEqual(web.split(separator: "\n").count, i + 1, "host-\(i): its curls")
        }
        let scans = try history(["alerts", "--json", "--db", pg.url], password: pg.password)
        XCTAssertTrue(scans.contains("\"sensor\":\"host-2\""), scans)
        XCTAssertFalse(scans.contains("\"sensor\":\"host-0\""), "only the third host was scanned: \(scans)")
        let fleet = try history(["sensors", "--db", pg.url], password: pg.password)
        for i in 0..<3 { XCTAssertTrue(fleet.contains("host-\(i) "), fleet) }
    }

    /// The server stopped for 10 s mid-run and started again, while a test host keeps making
    /// connections. A sensor with the default queue loses nothing; one whose queue holds 16
    /// events counts what did not fit, says so at the end, and the database's run row has it.
    func testServerDownForTenSecondsLosesNothingTheQueueHeld() throws {
        guard which("curl") != nil else { throw XCTSkip("curl is not installed (scripts/setup --test installs it)") }
        let pg = try TestPostgres()
        defer { pg.tearDown() }
        let netwatch = try netwatchBinary()
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try shell("chmod 755 \(dir.path)")
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "80", "--bind", hosts.addressB, "--directory", dir.path])
        setenv("PGPASSWORD", pg.password, 1)
        let keptErr = dir.appendingPathComponent("kept.err"), smallErr = dir.appendingPathComponent("small.err"), localErr = dir.appendingPathComponent("local.err")
        let common = ["connections", "-i", hosts.interfaceB, "-q", "--no-processes"]
        let kept = try hosts.start(hosts.b, [netwatch] + common + ["--history", pg.url, "--sensor", "kept"], error: keptErr)
        let small = try hosts.start(hosts.b, [netwatch] + common + ["--history", pg.url, "--sensor", "small", "--history-queue", "16"], error: smallErr)
        let local = try hosts.start(hosts.b, [netwatch] + common + ["--history", dir.appendingPathComponent("local.db").path], error: localErr)
        for err in [keptErr, smallErr, localErr] { XCTAssertTrue(waitFor("capturing on", in: err)) }
        usleep(500_000)
        // A dashboard over the same database, through the outage.
        let server = try startServer(["serve", "--db", pg.url], dir: dir)
        defer { TestHosts.interrupt(server.process) }
        XCTAssertEqual(try get(server.base + "/api/v1/runs").status, 200)
        // Each connection's local port and answer, to tell apart, if the count is short, a
        // connection never made from two that shared a 5-tuple.
        let curls = dir.appendingPathComponent("curls.txt")
        let client = try hosts.start(hosts.a, ["sh", "-c", "for i in $(seq 1 120); do curl -s -o /dev/null -w '%{local_port} %{http_code}\\n' http://\(hosts.addressB)/ >> \(curls.path); sleep 0.15; done"])
        sleep(4)
        try pg.stop()
        let away = try get(server.base + "/api/v1/runs")
        XCTAssertEqual(away.status, 503, away.body)
        XCTAssertTrue(away.body.contains("cannot connect to postgresql://"), away.body)
        sleep(10)
        try pg.start()
        // Its connection was lost: the next request connects again.
        let back = try get(server.base + "/api/v1/runs")
        XCTAssertEqual(back.status, 200, back.body)
        XCTAssertEqual(try get(server.base + "/flows").status, 200)
        while client.isRunning { usleep(200_000) }
        sleep(7)
        for p in [kept, small, local] { TestHosts.interrupt(p) }
        for p in [kept, small, local] { XCTAssertEqual(p.terminationStatus, 0) }
        let keptLog = (try? String(contentsOf: keptErr, encoding: .utf8)) ?? ""
        let smallLog = (try? String(contentsOf: smallErr, encoding: .utf8)) ?? ""
        XCTAssertTrue(keptLog.contains("lost the central database"), keptLog)
        XCTAssertNotNil(keptLog.range(of: #"is back after \d+ s"#, options: .regularExpression), keptLog)
        XCTAssertNotNil(keptLog.range(of: #"as sensor kept: \d+ records written, 0 not delivered"#, options: .regularExpression), keptLog)
        func http(_ args: [String]) throws -> Int {
            try history(["flows", "--json", "--port", "80"] + args, password: pg.password).split(separator: "\n").count
        }
        let reference = try http(["--db", dir.appendingPathComponent("local.db").path])
        let made = ((try? String(contentsOf: curls, encoding: .utf8)) ?? "").split(separator: "\n")
        XCTAssertEqual(made.count, 120, "curl's lines")
        XCTAssertEqual(reference, 120, "every connection captured; curl: \(made.count) lines, \(Set(made.map { $0.split(separator: " ").first ?? "" }).count) local ports, "
                       + "answers \(Dictionary(grouping: made, by: { $0.split(separator: " ").last ?? "" }).mapValues(\.count))")
        XCTAssertEqual(try http(["--db", pg.url, "--sensor", "kept"]), reference, "nothing lost that the queue held")
        // The small queue: what did not fit is counted, reported, and in the run's row.
        let match = smallLog.firstMatch(of: #/as sensor small: (\d+) records written, (\d+) not delivered/#)
        let lost = Int(match?.2 ?? "") ?? -1
        XCTAssertGreaterThan(lost, 0, smallLog)
        XCTAssertEqual(try http(["--db", pg.url, "--sensor", "small"]) + lost, reference, smallLog)
        let runs = try history(["runs", "--json", "--db", pg.url, "--sensor", "small"], password: pg.password)
        XCTAssertTrue(runs.contains("\"records_dropped\":\(lost)"), runs)
        XCTAssertTrue(smallLog.contains("cannot keep up; records are being dropped"), smallLog)
    }
}
