import Foundation
import NetwatchTestSupport
import XCTest

/// `netwatch monitor` and `serve`: the JSON API against the history it reads, bad parameters,
/// the token, the security headers, `/metrics` scraped by a real Prometheus, the pages in a
/// real browser (Selenium driving Chromium) while test hosts make traffic, hostile names.
final class WebTests: XCTestCase {
    static let scan = "attack/cs_nmap_synscan.pcapng"

    /// The API answers what the history holds, field names as the JSON lines, and turns bad
    /// parameters away with 400 and a sentence.
    func testAPIAgainstHistoryAndBadParameters() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try TestData.path("pcap/" + Self.scan)
        let db = dir.appendingPathComponent("nw.db")
        let server = try startServer(["monitor", "-r", capture, "--speed", "0", "-q", "--history", db.path, "--sensor", "edge-1"], dir: dir, until: "replay finished")
        defer { TestHosts.interrupt(server.process) }
        let base = server.base

        // Flows: all 1994, as `history flows --json` lists them.
        var uids = Set<String>()
        var offset = 0
        while true {
            let page = try get(base + "/api/v1/flows?limit=1000&offset=\(offset)")
            XCTAssertEqual(page.status, 200, page.body)
            let flows = page.json["flows"] as? [[String: Any]] ?? []
            for f in flows { uids.insert(f["uid"] as? String ?? "") }
            if flows.count < 1000 { break }
            offset += 1000
        }
        let history = try runCommand(try netwatchBinary(), ["history", "flows", "--db", db.path, "--json"])
        let recorded = history.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(uids.count, 1994)
        XCTAssertEqual(uids, Set(recorded.compactMap { $0["uid"] as? String }))
        // A record, field for field as the JSON line.
        let first = recorded[0]
        let one = try get(base + "/api/v1/flows/" + (first["uid"] as! String))
        XCTAssertEqual(one.status, 200)
        let flow = one.json["flow"] as? [String: Any] ?? [:]
        XCTAssertEqual(Set(flow.keys), Set(first.keys))
        for key in ["id.orig_h", "id.resp_p", "conn_state", "history", "community_id", "orig_pkts"] {
            XCTAssertEqual("\(flow[key] ?? "")", "\(first[key] ?? "")", key)
        }
        // Filters: port 22, the scanner as host, state.
        let ssh = try get(base + "/api/v1/flows?port=22&proto=tcp").json["flows"] as? [[String: Any]] ?? []
        XCTAssertEqual(ssh.count, recorded.filter { $0["id.resp_p"] as? Int == 22 || $0["id.orig_p"] as? Int == 22 }.count)
        let rej = try get(base + "/api/v1/flows?state=REJ&limit=1000").json["flows"] as? [[String: Any]] ?? []
        XCTAssertEqual(rej.count, recorded.filter { $0["conn_state"] as? String == "REJ" }.count)

        // Alerts: the scan, and its flows (probes between the two hosts).
        let alerts = try get(base + "/api/v1/alerts").json["alerts"] as? [[String: Any]] ?? []
        let scan = alerts.first { $0["event_type"] as? String == "alert" }
        XCTAssertEqual((scan?["alert"] as? [String: Any])?["signature"] as? String, "TCP SYN port scan")
        let id = scan?["alert_id"] as? Int ?? 0
        let detail = try get(base + "/api/v1/alerts/\(id)").json
        let concerned = detail["flows"] as? [[String: Any]] ?? []
        XCTAssertFalse(concerned.isEmpty)
        XCTAssertTrue(concerned.allSatisfy { Set([$0["id.orig_h"] as? String, $0["id.resp_h"] as? String]) == Set(["172.16.0.8", "64.13.134.52"]) })
        // Host, series, top, runs, live.
        let host = try get(base + "/api/v1/hosts/172.16.0.8").json
        XCTAssertEqual(host["flows"] as? Int, 1994)
        XCTAssertEqual((host["alerts"] as? [Any])?.isEmpty, false)
        let series = try get(base + "/api/v1/series?per=second").json["series"] as? [[String: Any]] ?? []
        XCTAssertEqual(series.reduce(0) { $0 + ($1["packets"] as? Int ?? 0) }, 2011)
        let top = try get(base + "/api/v1/top/hosts?n=2").json["top"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(top.compactMap { $0["host"] as? String }), ["172.16.0.8", "64.13.134.52"])
        XCTAssertEqual((try get(base + "/api/v1/runs").json["runs"] as? [[String: Any]])?.first?["command"] as? String, "monitor")
        let live = try get(base + "/api/v1/live").json
        XCTAssertEqual(live["packets"] as? Int, 2011)
        XCTAssertEqual(live["flows_ended"] as? Int, 1994)

        // Bad parameters: 400 and a sentence naming the parameter.
        for (path, word) in [("/api/v1/flows?port=70000", "port"), ("/api/v1/flows?host=nothost", "host"), ("/api/v1/flows?since=yesterday", "since"),
                             ("/api/v1/flows?limit=0", "limit"), ("/api/v1/flows?state=XX", "state"), ("/api/v1/series?per=day", "per"),
                             ("/api/v1/top/nope", "top"), ("/api/v1/alerts/abc", "alert id"), ("/api/v1/hosts/999.1.1.1", "IP address"),
                             ("/api/v1/flows?since=100&until=50", "before")] {
            let r = try get(base + path)
            XCTAssertEqual(r.status, 400, path)
            XCTAssertTrue((r.json["error"] as? String ?? "").contains(word), "\(path): \(r.body)")
        }
        XCTAssertEqual(try get(base + "/api/v1/flows/CNOPE").status, 404)
        XCTAssertEqual(try get(base + "/api/v1/alerts/999999").status, 404)
        // Read-only, and the headers that keep pages to their own script.
        XCTAssertEqual(try get(base + "/api/v1/flows", method: "POST").status, 405)
        XCTAssertEqual(try get(base + "/", method: "DELETE").status, 405)
        for path in ["/", "/flows", "/alerts/\(id)", "/hosts/172.16.0.8", "/processes", "/api/v1/flows", "/metrics"] {
            let r = try get(base + path)
            XCTAssertEqual(r.status, 200, path)
            XCTAssertTrue(r.headers["content-security-policy"]?.contains("script-src 'self'") == true, path)
            XCTAssertFalse(r.headers["content-security-policy"]?.contains("unsafe") == true, path)
            XCTAssertEqual(r.headers["x-content-type-options"], "nosniff", path)
            XCTAssertEqual(r.headers["x-frame-options"], "DENY", path)
            if !path.hasPrefix("/api") && path != "/metrics" {
                XCTAssertLessThan(r.body.utf8.count, 200_000, "\(path) is over 200 KB")
                XCTAssertNil(r.body.range(of: #"<script>|<script [^s]|\son[a-z]+="#, options: .regularExpression), "\(path): inline script")
            }
        }
        // The OpenAPI document names every API path the server answers.
        let openapi = try get(base + "/api/v1/openapi.json").json
        let paths = (openapi["paths"] as? [String: Any] ?? [:]).keys
        for p in ["/api/v1/flows", "/api/v1/flows/{uid}", "/api/v1/alerts", "/api/v1/alerts/{id}", "/api/v1/hosts/{ip}", "/api/v1/series",
                  "/api/v1/top/{kind}", "/api/v1/runs", "/api/v1/sensors", "/api/v1/processes", "/api/v1/live"] {
            XCTAssertTrue(paths.contains(p), p)
        }
        // /metrics: the totals, Prometheus names, the sensor on every series, no address or port in a label.
        let metrics = try get(base + "/metrics").body
        XCTAssertTrue(metrics.contains("netwatch_packets_total{sensor=\"edge-1\",protocol=\"tcp\"} 2011"), metrics)
        XCTAssertTrue(metrics.contains("netwatch_flows_opened_total{sensor=\"edge-1\"} 1994"), metrics)
        XCTAssertTrue(metrics.contains("netwatch_alerts_total{sensor=\"edge-1\",signature=\"TCP SYN port scan\"} 1"), metrics)
        for line in metrics.split(separator: "\n") where line.hasPrefix("netwatch_") {
            XCTAssertTrue(line.contains("sensor=\"edge-1\""), String(line))
        }
        XCTAssertTrue(metrics.contains("# TYPE netwatch_bytes_total counter"))
        XCTAssertNil(metrics.range(of: #"\{[^}]*(172\.16|64\.13|port=)"#, options: .regularExpression), "an address or port in a label")

        // The schema, checked by schemathesis (every operation, generated and broken inputs).
        let st = try runPython("""
            import subprocess, sys, shutil
            exe = shutil.which("schemathesis") or shutil.which("st")
            r = subprocess.run([exe, "run", sys.argv[1] + "/api/v1/openapi.json", "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
                                "--max-examples", "25", "--url", sys.argv[1]], capture_output=True, text=True)
            print(r.stdout[-6000:]); print(r.stderr[-2000:]); sys.exit(r.returncode)
            """, [base], modules: ["schemathesis"], timeout: 600)
        XCTAssertEqual(st.status, 0, st.output + st.stderr)
    }

    /// Beyond loopback a token is needed; then every path wants it, compared exactly.
    func testTokenGuardsEveryPath() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("nw.db")
        XCTAssertEqual(try runCommand(try netwatchBinary(), ["-r", try TestData.path("pcap/" + Self.scan), "-q", "--history", db.path]).status, 0)
        let refused = try runCommand(try netwatchBinary(), ["serve", "--db", db.path, "--listen", "0.0.0.0:0"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("--web-token-file"), refused.stderr)
        let token = "k3Jd9-tokens-are-long-enough"
        let file = dir.appendingPathComponent("token")
        try (token + "\n").write(to: file, atomically: true, encoding: .utf8)
        let server = try startServer(["serve", "--db", db.path, "--web-token-file", file.path], dir: dir, listen: "0.0.0.0:0")
        defer { TestHosts.interrupt(server.process) }
        let basic = Data("anyone:\(token)".utf8).base64EncodedString()
        for path in ["/", "/flows", "/alerts", "/hosts/172.16.0.8", "/api/v1/flows", "/api/v1/openapi.json", "/metrics", "/static/netwatch.js", "/nothing-here"] {
            XCTAssertEqual(try get(server.base + path).status, 401, path)
            XCTAssertEqual(try get(server.base + path, headers: ["Authorization: Bearer wrong-token-of-some-length"]).status, 401, path)
            XCTAssertEqual(try get(server.base + path, headers: ["Authorization: Bearer " + token + "x"]).status, 401, path)
            XCTAssertEqual(try get(server.base + path, headers: ["Authorization: Bearer " + token]).status, path == "/nothing-here" ? 404 : 200, path)
            XCTAssertEqual(try get(server.base + path, headers: ["Authorization: Basic " + basic]).status, path == "/nothing-here" ? 404 : 200, path)
        }
        XCTAssertTrue(try get(server.base + "/").headers["www-authenticate"]?.contains("realm=\"netwatch\"") == true)
    }

    /// One client gets 32 connections at once (the 33rd is closed unread) and headers of 16 KB.
    func testConnectionAndHeaderLimits() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("nw.db")
        XCTAssertEqual(try runCommand(try netwatchBinary(), ["-r", try TestData.path("pcap/" + Self.scan), "-q", "--history", db.path]).status, 0)
        let server = try startServer(["serve", "--db", db.path], dir: dir)
        defer { TestHosts.interrupt(server.process) }
        let r = try runPython("""
            import socket, sys, time
            port = int(sys.argv[1])
            held = []
            for _ in range(40):
                s = socket.create_connection(("127.0.0.1", port)); held.append(s)
            time.sleep(0.5)
            answered = closed = 0
            for s in held:
                s.settimeout(5)
                try:
                    s.sendall(b"GET /api/v1/runs HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                    data = s.recv(64)
                    if data.startswith(b"HTTP/1.1 200"): answered += 1
                    else: closed += 1
                except OSError:
                    closed += 1
            for s in held: s.close()
            time.sleep(0.5)
            # Headers over 16 KB: refused.
            s = socket.create_connection(("127.0.0.1", port)); s.settimeout(5)
            s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Big: " + b"a" * 20000 + b"\\r\\n\\r\\n")
            try: big = s.recv(64)
            except OSError: big = b""
            # And after all that, a plain request still works.
            s = socket.create_connection(("127.0.0.1", port)); s.settimeout(5)
            s.sendall(b"GET /api/v1/runs HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            last = s.recv(12)
            print(answered, closed, "answered" if big.startswith(b"HTTP/1.1 200") else "refused", "ok" if last.startswith(b"HTTP/1.1 200") else "failed")
            """, ["\(server.port)"], modules: ["socket"])
        // 32 answered, 8 closed unread, the 20 KB header refused, and the server still serves.
        XCTAssertEqual(r.output.trimmingCharacters(in: .whitespacesAndNewlines), "32 8 refused ok", r.output + r.stderr)
    }

    /// Names from DNS answers holding markup and escapes: served as text, nothing runs.
    func testHostileNamesServeAsText() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = dir.appendingPathComponent("hostile.pcap")
        _ = try ReportTests.hostileCapture(capture)
        let db = dir.appendingPathComponent("hostile.db")
        XCTAssertEqual(try runCommand(try netwatchBinary(), ["-r", capture.path, "-q", "--history", db.path]).status, 0)
        let server = try startServer(["serve", "--db", db.path], dir: dir)
        defer { TestHosts.interrupt(server.process) }
        for path in ["/", "/hosts", "/hosts/10.9.0.1", "/hosts/10.9.0.2", "/hosts/10.9.0.3", "/flows?host=10.9.0.2"] {
            let html = try get(server.base + path).body
            XCTAssertNil(html.range(of: "<script>document", options: .caseInsensitive), path)
            XCTAssertNil(html.range(of: "<img", options: .caseInsensitive), path)
            XCTAssertFalse(html.utf8.contains { $0 < 0x20 && $0 != 0x0A }, "\(path): a control byte")
        }
        XCTAssertTrue(try get(server.base + "/hosts/10.9.0.1").body.contains("&lt;script&gt;document\\.title=&#39;PWNED&#39;&lt;/script&gt;.com"))
        XCTAssertTrue(try get(server.base + "/hosts/10.9.0.2").body.contains("&quot;&gt;&lt;img src=x onerror="))
        let api = try get(server.base + "/api/v1/hosts/10.9.0.1").json
        // As text in JSON (escaped as the JSON lines escape names).
        XCTAssertTrue((api["names"] as? [String])?.first?.hasPrefix("<script>document") == true, "\(api)")
        // In Chromium: the title stays, no image is made.
        let chromium = try ReportTests.chromium()
        for path in ["/hosts/10.9.0.1", "/hosts/10.9.0.2", "/"] {
            let dom = try ReportTests.run(chromium, ["--dump-dom", server.base + path])
            XCTAssertTrue(dom.contains("· netwatch</title>"), "\(path): \(dom.prefix(300))")
            XCTAssertFalse(dom.contains("PWNED</title>"), path)
            XCTAssertFalse(dom.contains("<img"), path)
        }
    }

    static var artefacts: URL {
        let url = ReportTests.artefacts.deletingLastPathComponent().appendingPathComponent("web")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Live, in a real browser: while test hosts make traffic (curl, DNS, an nmap scan), the
    /// overview's numbers move and the scan's alert appears without a reload; the alert's
    /// page lists its flows; a host page shows its activity. A real Prometheus scrapes
    /// `/metrics` meanwhile, and its `rate(netwatch_packets_total[...])` sees the traffic.
    func testLiveDashboardInBrowserAndPrometheus() throws {
        guard isRoot else { throw XCTSkip("live capture needs root") }
        guard which("nmap") != nil else { throw XCTSkip("nmap is not installed (scripts/setup --test installs it)") }
        guard let chromium = which("chromium"), let driver = which("chromedriver") else { throw XCTSkip("chromium and chromium-driver are needed (scripts/setup --test installs them)") }
        guard let python = which("python3"), try runCommand(python, ["-c", "import selenium"]).status == 0 else { throw XCTSkip("pip selenium is needed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A web server and a page on host b.
        try "hello from b\n".write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        _ = try hosts.start(hosts.b, [python, "-m", "http.server", "8080", "--bind", hosts.addressB, "--directory", dir.path])
        let server = try startServer(["monitor", "-i", hosts.interfaceA, "-q", "--history", dir.appendingPathComponent("nw.db").path], in: hosts, host: hosts.a, dir: dir)
        defer { TestHosts.interrupt(server.process) }

        // Prometheus in host a, scraping every second.
        var prometheus: Int?
        if let prom = which("prometheus") {
            let port = Int.random(in: 20_000...29_000)
            let config = dir.appendingPathComponent("prometheus.yml")
            try """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: netwatch
                    static_configs: [{targets: ['127.0.0.1:\(server.port)']}]
                """.write(to: config, atomically: true, encoding: .utf8)
            _ = try hosts.start(hosts.a, [prom, "--config.file=" + config.path, "--storage.tsdb.path=" + dir.appendingPathComponent("tsdb").path,
                                          "--web.listen-address=127.0.0.1:\(port)"], error: dir.appendingPathComponent("prometheus.err"))
            prometheus = port
        }

        let script = dir.appendingPathComponent("browse.py")
        try #"""
            import json, shutil, socket, subprocess, sys, time, urllib.request
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
            from selenium.webdriver.common.by import By
            from selenium.common.exceptions import StaleElementReferenceException
            base, peer, chromium, driver_path, artefacts, profile = sys.argv[1:7]
            def live(element_id, read=lambda e: e.text):
                # The live part is swapped in once a second: an element found just before may be gone.
                for _ in range(20):
                    try:
                        return read(d.find_element(By.ID, element_id))
                    except StaleElementReferenceException:
                        time.sleep(0.05)
                return read(d.find_element(By.ID, element_id))
            out = {}
            o = webdriver.ChromeOptions()
            o.binary_location = chromium
            for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1150,2200", "--user-data-dir=" + profile]:
                o.add_argument(a)
            d = webdriver.Chrome(service=Service(driver_path), options=o)
            try:
                d.get(base + "/")
                out["title"] = d.title
                first = live("card-packets")
                out["packets_before"] = first
                # Traffic: HTTP with curl, DNS queries, then an nmap SYN scan.
                for _ in range(5):
                    subprocess.run(["curl", "-s", "-o", "/dev/null", "http://%s:8080/" % peer])
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                for i in range(3):
                    s.sendto(bytes([0x12, i, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7]) + b"example" + bytes([3]) + b"com" + bytes([0, 0, 1, 0, 1]), (peer, 53))
                deadline = time.time() + 20
                while time.time() < deadline and live("card-packets") == first:
                    time.sleep(0.5)
                out["packets_after"] = live("card-packets")
                out["swapped"] = live("live", lambda e: e.get_attribute("data-updated")) is not None
                subprocess.run(["nmap", "-sS", "-Pn", "-n", "-p", "1-300", "--max-rate", "3000", peer], capture_output=True)
                deadline = time.time() + 40
                while time.time() < deadline and "port scan" not in live("live"):
                    time.sleep(0.5)
                out["alert_live"] = "port scan" in live("live")
                out["same_page"] = d.execute_script("return performance.getEntriesByType('navigation').length") == 1 and d.current_url.rstrip("/") == base
                d.save_screenshot(artefacts + "/overview.png")
                links = live("live", lambda e: [a.get_attribute("href") for a in e.find_elements(By.CSS_SELECTOR, "a[href*='/alerts/']")])
                out["alert_links"] = len(links)
                if links:
                    d.get(links[0])
                    out["alert_heading"] = d.find_element(By.TAG_NAME, "h1").text
                    out["alert_flows"] = len(d.find_elements(By.CSS_SELECTOR, "table.flows tbody tr a[href*='/flows/']"))
                    out["alert_strips"] = len(d.find_elements(By.CSS_SELECTOR, "svg"))
                    d.save_screenshot(artefacts + "/alert.png")
                d.get(base + "/hosts/" + peer)
                out["host_heading"] = d.find_element(By.TAG_NAME, "h1").text
                out["host_svg"] = len(d.find_elements(By.CSS_SELECTOR, "svg rect"))
                out["host_flows"] = len(d.find_elements(By.CSS_SELECTOR, "table.flows tbody tr a[href*='/flows/']"))
                d.save_screenshot(artefacts + "/host.png")
                # The curls' flows, open (a closed connection is held 5 s) or recorded: asked of the
                # API until all five show (what it said last goes into the failure message).
                deadline = time.time() + 20
                while True:
                    with urllib.request.urlopen(base + "/api/v1/flows?port=8080&host=" + peer) as answer:
                        api = json.load(answer)
                    out["api_8080"] = {"recorded": len(api["flows"]), "open": len(api["open"]), "open_matched": api["open_matched"]}
                    if len(api["flows"]) + len(api["open"]) >= 5 or time.time() > deadline:
                        break
                    time.sleep(0.5)
                d.get(base + "/flows?host=" + peer + "&port=8080")
                out["flows_8080"] = len(d.find_elements(By.CSS_SELECTOR, "table.flows tbody tr a[href*='/flows/']"))
                d.save_screenshot(artefacts + "/flows.png")
                out["console_errors"] = [e["message"] for e in d.get_log("browser") if e.get("level") == "SEVERE"]
            finally:
                d.quit()
            print(json.dumps(out))
            """#.write(to: script, atomically: true, encoding: .utf8)
        // (A failing script is reported with its standard error by the assertions below.)
        let output = (try? hosts.exec(hosts.a, "\(python) \(script.path) \(server.base) \(hosts.addressB) \(chromium) \(driver) \(Self.artefacts.path) \(dir.path)/profile 2>\(dir.path)/browse.err")) ?? ""
        let r = (try? JSONSerialization.jsonObject(with: Data((output.split(separator: "\n").last ?? "").utf8))) as? [String: Any] ?? [:]
        let err = (try? String(contentsOf: dir.appendingPathComponent("browse.err"), encoding: .utf8)) ?? ""
        XCTAssertEqual(r["title"] as? String, "Overview · netwatch", "\(output) \(err)")
        XCTAssertNotEqual(r["packets_before"] as? String, r["packets_after"] as? String, "the packet count moved without a reload")
        XCTAssertEqual(r["swapped"] as? Bool, true, "the event stream swapped the live part in")
        XCTAssertEqual(r["alert_live"] as? Bool, true, "the scan's alert appeared without a reload")
        XCTAssertEqual(r["same_page"] as? Bool, true)
        XCTAssertGreaterThan(r["alert_links"] as? Int ?? 0, 0)
        XCTAssertTrue((r["alert_heading"] as? String ?? "").contains("port scan"), "\(r)")
        XCTAssertGreaterThan(r["alert_flows"] as? Int ?? 0, 0, "the alert's page lists its flows")
        XCTAssertGreaterThanOrEqual(r["alert_strips"] as? Int ?? 0, 1)
        XCTAssertEqual(r["host_heading"] as? String, hosts.addressB)
        XCTAssertGreaterThan(r["host_svg"] as? Int ?? 0, 0, "the host's activity strip")
        XCTAssertGreaterThan(r["host_flows"] as? Int ?? 0, 0)
        XCTAssertGreaterThanOrEqual(r["flows_8080"] as? Int ?? 0, 5, "five curl connections; the API said \(r["api_8080"] ?? "nothing")")
        XCTAssertEqual((r["console_errors"] as? [Any])?.count, 0, "\(r["console_errors"] ?? "")")

        // Prometheus: the packets the test made, as a rate.
        guard let promPort = prometheus else { throw XCTSkip("prometheus is not installed (scripts/setup --test installs it); the browser part passed") }
        _ = try hosts.exec(hosts.a, "ping -c 40 -i 0.05 \(hosts.addressB) >/dev/null")
        sleep(4)
        let query = "sum(rate(netwatch_packets_total{protocol=\"icmp\"}[1m]))*60"
        let answer = try hosts.exec(hosts.a, "curl -s --get --data-urlencode 'query=\(query)' http://127.0.0.1:\(promPort)/api/v1/query")
        let result = ((try? JSONSerialization.jsonObject(with: Data(answer.utf8))) as? [String: Any])?["data"] as? [String: Any]
        let value = ((result?["result"] as? [[String: Any]])?.first?["value"] as? [Any])?.last as? String
        let packets = Double(value ?? "") ?? 0
        // 40 requests and 40 replies; the rate extrapolates over the window, so roughly.
        XCTAssertGreaterThan(packets, 40, answer)
        XCTAssertLessThan(packets, 400, answer)
        let up = try hosts.exec(hosts.a, "curl -s --get --data-urlencode 'query=up{job=\"netwatch\"}' http://127.0.0.1:\(promPort)/api/v1/query")
        XCTAssertTrue(up.contains("\"1\"]"), up)
    }
}
