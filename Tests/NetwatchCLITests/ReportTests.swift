import Foundation
import NetwatchTestSupport
import XCTest

/// `netwatch report`: its numbers against `--stats-json` and the history queries for the same
/// captures; the page as Chromium renders it (sections, charts, no overlapping chart text,
/// PNG and PDF kept as artefacts); hostile names from the network shown as text; bad input.
final class ReportTests: XCTestCase {
    func netwatch(_ arguments: [String]) throws -> CommandResult {
        try runCommand(try netwatchBinary(), arguments, timeout: 300)
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let r = try netwatch(arguments)
        XCTAssertEqual(r.status, 0, "\(arguments): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] ?? [:]
    }

    func lines(_ arguments: [String]) throws -> [[String: Any]] {
        let r = try netwatch(arguments)
        XCTAssertEqual(r.status, 0, "\(arguments): \(r.stderr)")
        return r.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Where the PNGs and PDFs a person looks at are kept: `.build/test-artefacts/report`
    /// (or `$NETWATCH_ARTEFACTS/report`).
    static var artefacts: URL {
        let base = ProcessInfo.processInfo.environment["NETWATCH_ARTEFACTS"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/test-artefacts")
        let url = base.appendingPathComponent("report")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let captures = ["mixed/zeek_wikipedia.pcap", "mixed/sgr_mariti_skypeirc.pcap", "attack/cs_nmap_synscan.pcapng",
                           "mixed/suricata_output-eve-ftp-data.pcap", "attack/sgr_favilli_icmp_pingsweep.pcap", "mixed/sgr_trevisi_generic.pcapng",
                           "linktype/zeek_erspan.pcap"]

    func testNumbersEqualStatisticsAndHistoryQueries() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in Self.captures {
            let capture = try TestData.path("pcap/" + name)
            let r = try json(["report", "-r", capture, "--format", "json"])
            let summary = r["summary"] as? [String: Any] ?? [:]
            // Against the statistics of the same road.
            let statsFile = dir.appendingPathComponent("stats.json")
            try? FileManager.default.removeItem(at: statsFile)
            XCTAssertEqual(try netwatch(["-r", capture, "-q", "--stats-json", statsFile.path]).status, 0)
            let finalLine = try String(contentsOf: statsFile, encoding: .utf8).split(separator: "\n").last { $0.contains("\"kind\":\"final\"") }
            let stats = try JSONSerialization.jsonObject(with: Data((finalLine ?? "{}").utf8)) as? [String: Any] ?? [:]
            XCTAssertEqual(summary["packets"] as? Int, stats["packets"] as? Int, "\(name): packets")
            XCTAssertEqual(summary["bytes"] as? Int, stats["bytes"] as? Int, "\(name): bytes")
            XCTAssertEqual(summary["flows"] as? Int, stats["flows"] as? Int, "\(name): flows")
            XCTAssertEqual(summary["malformed"] as? Int, stats["malformed"] as? Int, "\(name): malformed")
            let protocols = stats["protocols"] as? [String: Int] ?? [:]
            let shares = Dictionary(uniqueKeysWithValues: (r["protocols"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0["packets"] as! Int) })
            XCTAssertEqual(shares["TCP"] ?? 0, protocols["TCP"] ?? 0, "\(name): TCP packets")
            XCTAssertEqual(shares["UDP"] ?? 0, protocols["UDP"] ?? 0, "\(name): UDP packets")
            XCTAssertEqual(shares["ICMP"] ?? 0, (protocols["ICMP"] ?? 0) + (protocols["ICMPv6"] ?? 0), "\(name): ICMP packets")
            XCTAssertEqual(shares.values.reduce(0, +), stats["packets"] as? Int, "\(name): protocols sum to the packets")
            let shareBytes = (r["protocols"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["bytes"] as! Int) }
            XCTAssertEqual(shareBytes, stats["bytes"] as? Int, "\(name): protocols sum to the bytes")

            // Against the history queries over the same capture recorded.
            let db = dir.appendingPathComponent(name.replacingOccurrences(of: "/", with: "_") + ".db").path
            XCTAssertEqual(try netwatch(["-r", capture, "-q", "--history", db]).status, 0)
            let since = String(Int((r["since"] as? Double) ?? 0)), until = String(Int((r["until"] as? Double) ?? 0))
            let range = ["--db", db, "--since", since, "--until", until]
            let d = try json(["report", "--format", "json"] + range)
            let dSummary = d["summary"] as? [String: Any] ?? [:]
            for key in ["packets", "bytes", "flows", "hosts", "dropped"] {
                XCTAssertEqual(dSummary[key] as? Int, summary[key] as? Int, "\(name): summary \(key), database against capture")
            }
            XCTAssertEqual(dSummary["runs"] as? Int, 1, "\(name): the run that read it")
            XCTAssertEqual(d["protocols"] as? NSArray, r["protocols"] as? NSArray, "\(name): protocols")
            let traffic = d["traffic"] as? [String: Any] ?? [:]
            let seconds = try lines(["history", "series", "--per", "second", "--json"] + range)
            XCTAssertEqual((traffic["packets"] as? [Int] ?? []).reduce(0, +), seconds.reduce(0) { $0 + ($1["packets"] as! Int) }, "\(name): series")
            for (kind, field, column) in [("hosts", "top_hosts", "host"), ("ports", "top_ports", "port"), ("conversations", "top_conversations", "conversation"),
                                          ("services", "services", "service"), ("processes", "processes", "process")] {
                let expected = try lines(["history", "top", kind, "--json"] + range).map {
                    "\($0[column]!) \($0["packets"]!) \($0["bytes"]!) \($0["flows"]!)"
                }
                let got = (d[field] as? [[String: Any]] ?? []).map { "\($0["key"] ?? $0["ip"]!) \($0["packets"]!) \($0["bytes"]!) \($0["flows"]!)" }
                XCTAssertEqual(got, expected, "\(name): \(field) against history top \(kind)")
                // The capture's own list is the same where each minute held every key.
                if (summary["flows"] as? Int ?? 0) < 200 {
                    let direct = (r[field] as? [[String: Any]] ?? []).map { "\($0["key"] ?? $0["ip"]!) \($0["packets"]!) \($0["bytes"]!) \($0["flows"]!)" }
                    XCTAssertEqual(direct, got, "\(name): \(field), capture against database")
                }
            }
            let states = try lines(["history", "top", "states", "--top", "100", "--json"] + range)
            let outcomes = (d["outcomes"] as? [String: Any])?["conn_state"] as? [String: Int] ?? [:]
            XCTAssertEqual(outcomes, Dictionary(uniqueKeysWithValues: states.map { ($0["conn_state"] as! String, $0["flows"] as! Int) }), "\(name): conn_state")
            XCTAssertEqual((r["outcomes"] as? [String: Any])?["conn_state"] as? [String: Int], outcomes, "\(name): conn_state, capture against database")
            let alerts = try lines(["history", "alerts", "--json"] + range)
            XCTAssertEqual(d["alerts_total"] as? Int, alerts.count, "\(name): alerts")
            XCTAssertEqual(r["alerts_total"] as? Int, alerts.count, "\(name): alerts, capture against database")
            let signatures = (d["alerts"] as? [[String: Any]] ?? []).map { $0["signature"] as! String }
            XCTAssertEqual(signatures, alerts.prefix(200).map { ($0["alert"] as? [String: Any])?["signature"] as? String ?? "" }, "\(name): alert order")
            // The same flows for each alert (uids are drawn per run: compared by Community ID).
            func concerned(_ report: [String: Any]) -> [String] {
                (report["alert_flows"] as? [[String: Any]] ?? []).map { "\($0["community_id"]!) \($0["ts"]!)" }.sorted()
            }
            XCTAssertEqual(concerned(d), concerned(r), "\(name): flows the alerts concern")
            // The capture's lines get their strings at the end, from the run's uids and service table.
            for f in r["alert_flows"] as? [[String: Any]] ?? [] {
                let uid = f["uid"] as? String ?? ""
                XCTAssertTrue(uid.count == 12 && uid.hasPrefix("C") && uid.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(name): uid \(uid)")
                XCTAssertTrue(["tcp", "udp", "icmp", "unknown_transport"].contains(f["proto"] as? String ?? ""), "\(name): proto")
            }
            XCTAssertEqual(Set((d["alert_flows"] as? [[String: Any]] ?? []).map { "\($0["community_id"]!) \($0["service"] ?? "-") \($0["conn_state"]!)" }),
                           Set((r["alert_flows"] as? [[String: Any]] ?? []).map { "\($0["community_id"]!) \($0["service"] ?? "-") \($0["conn_state"]!)" }),
                           "\(name): the alerts' flows' service and conn_state")
            if !(r["alerts"] as? [[String: Any]] ?? []).isEmpty, (r["alerts"] as! [[String: Any]]).contains(where: { $0["event_type"] as? String == "alert" }) {
                XCTAssertFalse(concerned(r).isEmpty, "\(name): alerts with no flows")
            }
        }
    }

    /// The report of a busy capture as a person sees it: every section and chart present,
    /// nothing fetched, no two chart labels overlapping (measured by Chromium's own layout),
    /// and the page and its PDF kept as PNGs.
    func testPageRendersInChromium() throws {
        let chromium = try Self.chromium()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html")
        let r = try netwatch(["report", "-r", try TestData.path("pcap/mixed/sgr_mariti_skypeirc.pcap"), "-o", page.path, "--utc"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertLessThan(html.utf8.count, 1 << 20)
        XCTAssertNil(html.range(of: "<script", options: .caseInsensitive), "the report carries no script")
        for pattern in [#"src\s*="#, #"href\s*=\s*"(?!#)"#, #"url\("#, "@import"] {
            XCTAssertNil(html.range(of: pattern, options: .regularExpression), "a reference to another address: \(pattern)")
        }
        // The DOM as Chromium built it.
        let dom = try Self.run(chromium, ["--dump-dom", page.absoluteString])
        let sections = ["summary", "traffic", "protocols", "talkers", "ports", "outcomes", "alerts", "processes", "geography", "newhosts"]
        for s in sections { XCTAssertTrue(dom.contains("<section id=\"\(s)\">"), "section \(s)") }
        let charts = dom.components(separatedBy: "<svg ").count - 1
        XCTAssertGreaterThanOrEqual(charts, 9, "charts drawn")
        for chart in ["Packets per second by protocol", "Bytes per second", "Top talkers", "Top ports", "Connections by outcome", "Alerts over time", "Activity of the busiest"] {
            XCTAssertTrue(dom.contains(chart), "chart \(chart)")
        }
        XCTAssertTrue(dom.contains("href=\"#flow-"), "alerts link to their flows")
        // Label boxes from Chromium's layout, in a copy with a measuring script (and no CSP).
        let probe = dir.appendingPathComponent("probe.html")
        let script = """
            <script>
            (function () {
              var out = [], charts = document.querySelectorAll('svg.chart');
              charts.forEach(function (svg, n) {
                var texts = Array.prototype.map.call(svg.querySelectorAll('text'), function (t) { return { s: t.textContent, b: t.getBBox() }; });
                var w = svg.viewBox.baseVal.width, h = svg.viewBox.baseVal.height;
                for (var i = 0; i < texts.length; i++) {
                  var a = texts[i].b;
                  if (a.x < -0.5 || a.y < -0.5 || a.x + a.width > w + 0.5 || a.y + a.height > h + 0.5) out.push(n + ': outside: ' + texts[i].s);
                  for (var j = i + 1; j < texts.length; j++) {
                    var b = texts[j].b;
                    if (a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5)
                      out.push(n + ': ' + texts[i].s + ' / ' + texts[j].s);
                  }
                }
              });
              var pre = document.createElement('pre');
              pre.id = 'probe';
              pre.textContent = JSON.stringify({ charts: charts.length, texts: document.querySelectorAll('svg.chart text').length, overlaps: out });
              document.body.appendChild(pre);
            })();
            </script>
            """
        let measured = html.replacingOccurrences(of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: "</body>", with: script + "</body>")
        try measured.write(to: probe, atomically: true, encoding: .utf8)
        let probed = try Self.run(chromium, ["--dump-dom", probe.absoluteString])
        guard let m = probed.firstMatch(of: /<pre id="probe">(.*?)<\/pre>/) else { return XCTFail("no measurement: \(probed.suffix(500))") }
        let result = try JSONSerialization.jsonObject(with: Data(String(m.1).replacingOccurrences(of: "&quot;", with: "\"").utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(result["charts"] as? Int, charts)
        XCTAssertGreaterThan(result["texts"] as? Int ?? 0, 100)
        XCTAssertEqual(result["overlaps"] as? [String] ?? ["?"], [], "chart labels overlap or leave their chart")
        // Kept for a person: the page as PNG, and its PDF (a section per page) as PNG pages.
        let png = Self.artefacts.appendingPathComponent("skypeirc.png")
        _ = try Self.run(chromium, ["--hide-scrollbars", "--window-size=1000,6000", "--screenshot=\(png.path)", page.absoluteString])
        XCTAssertTrue(FileManager.default.fileExists(atPath: png.path))
        let pdf = Self.artefacts.appendingPathComponent("skypeirc.pdf")
        _ = try Self.run(chromium, ["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", page.absoluteString])
        guard let pdftoppm = which("pdftoppm") else { throw XCTSkip("pdftoppm is not installed (scripts/setup --test installs poppler-utils)") }
        for old in (try? FileManager.default.contentsOfDirectory(atPath: Self.artefacts.path)) ?? [] where old.hasPrefix("skypeirc-page") {
            try? FileManager.default.removeItem(at: Self.artefacts.appendingPathComponent(old))
        }
        XCTAssertEqual(try runCommand(pdftoppm, ["-png", "-r", "60", pdf.path, Self.artefacts.appendingPathComponent("skypeirc-page").path]).status, 0)
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.artefacts.path).filter { $0.hasPrefix("skypeirc-page") }
        XCTAssertGreaterThanOrEqual(pages.count, sections.count, "a section per printed page at least")
    }

    /// DNS answers that carry markup and control characters: the names show as text, in the
    /// capture's report and the database's, and nothing runs, even with the page's CSP removed.
    func testHostileNamesShowAsText() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = dir.appendingPathComponent("hostile.pcap")
        let names = try Self.hostileCapture(capture)
        let db = dir.appendingPathComponent("hostile.db")
        XCTAssertEqual(try netwatch(["-r", capture.path, "-q", "--history", db.path]).status, 0)
        let fromCapture = dir.appendingPathComponent("capture.html"), fromDB = dir.appendingPathComponent("db.html")
        XCTAssertEqual(try netwatch(["report", "-r", capture.path, "-o", fromCapture.path]).status, 0)
        let d = try netwatch(["report", "--db", db.path, "--since", "1699999990", "--until", "1700000100", "-o", fromDB.path])
        XCTAssertEqual(d.status, 0, d.stderr)
        for page in [fromCapture, fromDB] {
            let html = try String(contentsOf: page, encoding: .utf8)
            XCTAssertNil(html.range(of: "<script", options: .caseInsensitive), page.lastPathComponent)
            XCTAssertNil(html.range(of: "<img", options: .caseInsensitive), page.lastPathComponent)
            XCTAssertTrue(html.contains("&lt;script&gt;document\\.title=&#39;PWNED&#39;&lt;/script&gt;.com"), "\(page.lastPathComponent): the name as text")
            XCTAssertTrue(html.contains("&quot;&gt;&lt;img src=x onerror=document\\.title=&#39;PWNED&#39;&gt;.com"), page.lastPathComponent)
            XCTAssertTrue(html.contains("\\x1b]0;owned\\x07\\x1b[2J.com"), "\(page.lastPathComponent): control characters shown as \\xNN")
            XCTAssertFalse(html.utf8.contains { $0 < 0x20 && $0 != 0x0A }, "\(page.lastPathComponent): a control byte")
        }
        let md = try netwatch(["report", "-r", capture.path, "--format", "md"]).output
        XCTAssertFalse(md.contains("<script"))
        XCTAssertFalse(md.utf8.contains { $0 < 0x20 && $0 != 0x0A })
        let report = try json(["report", "-r", capture.path, "--format", "json"])
        XCTAssertEqual(Set((report["top_hosts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }),
                       Set(names.map { $0.replacingOccurrences(of: ".", with: "\\.") + ".com" }))
        // In Chromium, as served and with the CSP stripped: the title stays, no image is made.
        let chromium = try Self.chromium()
        for page in [fromCapture, fromDB] {
            let open = try String(contentsOf: page, encoding: .utf8)
                .replacingOccurrences(of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, with: "", options: .regularExpression)
            let bare = dir.appendingPathComponent("bare-" + page.lastPathComponent)
            try open.write(to: bare, atomically: true, encoding: .utf8)
            for file in [page, bare] {
                let dom = try Self.run(chromium, ["--dump-dom", file.absoluteString])
                XCTAssertTrue(dom.contains("<title>netwatch report: "), "\(file.lastPathComponent): \(dom.prefix(300))")
                XCTAssertFalse(dom.contains("PWNED</title>"), file.lastPathComponent)
                XCTAssertFalse(dom.contains("<img"), file.lastPathComponent)
            }
        }
    }

    func testBadInputIsOneSentenceAndNoFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.html")
        func expectFailure(_ arguments: [String], _ message: String) throws {
            let r = try netwatch(arguments + ["-o", out.path])
            XCTAssertEqual(r.status, 1, "\(arguments)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(arguments): one sentence: \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(arguments): a report was left")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }, [])
        }
        try expectFailure(["report", "--db", dir.appendingPathComponent("missing.db").path], "missing.db")
        let db = dir.appendingPathComponent("h.db").path
        XCTAssertEqual(try netwatch(["-r", try TestData.path("pcap/mixed/zeek_wikipedia.pcap"), "-q", "--history", db]).status, 0)
        try expectFailure(["report", "--db", db, "--since", "2001-01-01", "--until", "2001-01-02"], "no traffic recorded between 2001-01-01 00:00:00 and 2001-01-02 00:00:00")
        try expectFailure(["report", "--db", db], "no traffic recorded between")
        try expectFailure(["report", "-r", try TestData.path("pcap/malformed/libpcap_pcap-invalid-version-1.pcap")], "netwatch: ")
        try expectFailure(["report", "-r", try TestData.path("pcap/malformed/suricata_fuzz_damaged.pcap")], "netwatch: ")
        try expectFailure(["report", "-r", try TestData.path("pcap/format/suricata_empty.pcap")], "nothing to report")
        let notAFile = try netwatch(["report", "-r", try TestData.path("pcap/mixed/zeek_wikipedia.pcap"), "-o", "/nonexistent/dir/r.html"])
        XCTAssertEqual(notAFile.status, 1)
        XCTAssertTrue(notAFile.stderr.contains("cannot write /nonexistent/dir/r.html"), notAFile.stderr)
        let bad = try netwatch(["report", "-r", try TestData.path("pcap/mixed/zeek_wikipedia.pcap"), "--sections", "summary,charts"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("no section 'charts'"), bad.stderr)
        // The busiest shared capture (37,000 spoofed sources) still makes a small page.
        let flood = try netwatch(["report", "-r", try TestData.path("pcap/attack/stopddos_synflood_spoofed.pcap"), "-o", out.path])
        XCTAssertEqual(flood.status, 0, flood.stderr)
        let size = try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? Int ?? 0
        XCTAssertLessThan(size, 1 << 20)
    }

    /// Hosts seen, from the history's per-minute sketches: exact for a few hundred hosts,
    /// within 2% for tens of thousands (the spoofed flood), and the same from the capture.
    func testHostsSeenAgainstSQLite() throws {
        guard let sqlite = which("sqlite3") else { throw XCTSkip("sqlite3 is not installed (scripts/setup --test installs it)") }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, exact) in [("mixed/sgr_mariti_skypeirc.pcap", true), ("attack/stopddos_synflood_spoofed.pcap", false)] {
            let capture = try TestData.path("pcap/" + name)
            let db = dir.appendingPathComponent(exact ? "a.db" : "b.db").path
            XCTAssertEqual(try netwatch(["-r", capture, "-q", "--history", db]).status, 0)
            let r = try json(["report", "-r", capture, "--format", "json"])
            let since = String(Int((r["since"] as? Double) ?? 0)), until = String(Int((r["until"] as? Double) ?? 0))
            let d = try json(["report", "--db", db, "--since", since, "--until", until, "--format", "json"])
            let truth = Int(try runCommand(sqlite, [db, "SELECT count(*) FROM (SELECT orig_h FROM conn UNION SELECT resp_h FROM conn)"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let summary = d["summary"] as? [String: Any] ?? [:]
            let hosts = summary["hosts"] as? Int ?? 0
            XCTAssertEqual(summary["hosts_exact"] as? Bool, exact, name)
            if exact {
                XCTAssertEqual(hosts, truth, name)
            } else {
                XCTAssertLessThan(abs(Double(hosts - truth)) / Double(truth), 0.02, "\(name): \(hosts) against \(truth)")
            }
            XCTAssertEqual((r["summary"] as? [String: Any])?["hosts"] as? Int, hosts, "\(name): the capture's report counts the same")
        }
    }

    /// With GeoIP: countries from the capture's report equal those the history recorded, and
    /// the talkers carry theirs.
    func testCountriesWithGeoIP() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try TestData.path("pcap/mixed/sgr_mariti_skypeirc.pcap")
        let geo = TestData.root.appendingPathComponent("geoip").path
        let db = dir.appendingPathComponent("geo.db").path
        XCTAssertEqual(try netwatch(["-r", capture, "-q", "--history", db, "--geo-path", geo]).status, 0)
        let r = try json(["report", "-r", capture, "--format", "json", "--geo-path", geo])
        let since = String(Int((r["since"] as? Double) ?? 0)), until = String(Int((r["until"] as? Double) ?? 0))
        let d = try json(["report", "--db", db, "--since", since, "--until", until, "--format", "json"])
        let countries = r["countries"] as? [[String: Any]] ?? []
        XCTAssertGreaterThan(countries.count, 3)
        XCTAssertEqual(countries.map { "\($0["key"]!) \($0["bytes"]!) \($0["flows"]!)" },
                       (d["countries"] as? [[String: Any]] ?? []).map { "\($0["key"]!) \($0["bytes"]!) \($0["flows"]!)" })
        let expected = try lines(["history", "top", "countries", "--db", db, "--since", since, "--until", until, "--json"])
        XCTAssertEqual(countries.map { $0["key"] as! String }, expected.map { $0["country"] as! String })
        let talkers = r["top_hosts"] as? [[String: Any]] ?? []
        XCTAssertTrue(talkers.contains { $0["country"] as? String == "US" }, "\(talkers)")
        let html = try netwatch(["report", "-r", capture, "--geo-path", geo, "--sections", "talkers,geography"]).output
        XCTAssertTrue(html.contains("<th>Country</th>"))
        XCTAssertTrue(html.contains("Traffic by country"))
    }

    /// Live: a report of what a test host saw until Ctrl+C (curl and ping to its peer).
    func testLiveReportUntilInterrupted() throws {
        guard isRoot else { throw XCTSkip("live capture needs root") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("live.json")
        let err = dir.appendingPathComponent("err")
        let process = try hosts.start(hosts.a, [try netwatchBinary(), "report", "-i", hosts.interfaceA, "--format", "json", "-o", page.path],
                                      error: err)
        XCTAssertTrue(waitFor("capturing on", in: err))
        usleep(200_000)
        _ = try hosts.exec(hosts.a, "ping -c 3 -i 0.2 \(hosts.addressB)")
        usleep(300_000)
        TestHosts.interrupt(process)
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: page)) as? [String: Any] ?? [:]
        let summary = report["summary"] as? [String: Any] ?? [:]
        XCTAssertGreaterThanOrEqual(summary["packets"] as? Int ?? 0, 6, "3 requests and 3 replies")
        XCTAssertEqual(summary["interfaces"] as? [String], [hosts.interfaceA])
        XCTAssertTrue((report["top_hosts"] as? [[String: Any]] ?? []).contains { $0["ip"] as? String == hosts.addressB })
    }

    func testSectionsTopAndMarkdown() throws {
        let capture = try TestData.path("pcap/mixed/sgr_mariti_skypeirc.pcap")
        let md = try netwatch(["report", "-r", capture, "--format", "md", "--sections", "alerts,summary", "--top", "3"]).output
        let headings = md.split(separator: "\n").filter { $0.hasPrefix("## ") }
        XCTAssertEqual(headings, ["## Alerts", "## Summary"])
        XCTAssertTrue(md.contains("| Packets | 2,263 |"), md)
        let report = try json(["report", "-r", capture, "--format", "json", "--top", "3"])
        XCTAssertEqual((report["top_hosts"] as? [Any])?.count, 3)
        XCTAssertEqual((report["top_ports"] as? [Any])?.count, 3)
        let html = try netwatch(["report", "-r", capture, "--sections", "talkers"]).output
        XCTAssertTrue(html.contains("<section id=\"talkers\">"))
        XCTAssertFalse(html.contains("<section id=\"summary\">"))
    }

    // MARK: helpers

    /// A capture whose DNS answers name three addresses `<script>...`, `"><img ...>` and
    /// terminal escapes, then traffic with each: the names it gives.
    static func hostileCapture(_ capture: URL) throws -> [String] {
        let names = ["<script>document.title='PWNED'</script>", "\"><img src=x onerror=document.title='PWNED'>", "\u{1B}]0;owned\u{07}\u{1B}[2J"]
        var packets: [[UInt8]] = []
        for (i, name) in names.enumerated() {
            let address: [UInt8] = [10, 9, 0, UInt8(i + 1)]
            var query: [UInt8] = [0x12, UInt8(i), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
            let label = Array(name.utf8)
            query += [UInt8(label.count)] + label + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]
            var response = query
            response[2] = 0x81; response[3] = 0x80; response[7] = 1
            response += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4] + address
            packets.append(Self.udp(from: [10, 9, 0, 100], to: [10, 9, 0, 53], 5000 + UInt16(i), 53, query))
            packets.append(Self.udp(from: [10, 9, 0, 53], to: [10, 9, 0, 100], 53, 5000 + UInt16(i), response))
            // Then traffic with the named address, so that it is a top talker.
            for _ in 0..<3 { packets.append(Self.udp(from: [10, 9, 0, 100], to: address, 40000, 443, Array(repeating: 0x41, count: 200))) }
        }
        try writePcap(packets, to: capture)
        return names
    }

    static func chromium() throws -> String {
        guard let path = which("chromium") ?? which("chromium-browser") ?? which("google-chrome") else {
            throw XCTSkip("chromium is not installed (scripts/setup --test installs it)")
        }
        return path
    }

    /// Headless Chromium on a page: what it printed (the DOM, with --dump-dom).
    static func run(_ chromium: String, _ arguments: [String]) throws -> String {
        let r = try runCommand(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                                          "--user-data-dir=" + FileManager.default.temporaryDirectory.appendingPathComponent("nw-chromium").path] + arguments,
                               timeout: 120)
        return r.output
    }

    static func udp(from: [UInt8], to: [UInt8], _ sport: UInt16, _ dport: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var p = udpPacket(src: sport, dst: dport, payload)
        p.replaceSubrange(26..<30, with: from)
        p.replaceSubrange(30..<34, with: to)
        return p
    }
}
