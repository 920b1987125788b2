import Foundation
import NetwatchTestSupport
import XCTest

/// `netwatch timeline` and `netwatch geo` as users run them: replays of real captures, live
/// socket tables of network-namespace test hosts, the dashboard read back from tmux.
final class TimelineTests: XCTestCase {
    let wikipedia = "pcap/mixed/zeek_wikipedia.pcap"

    func testReplayShowsEveryRemoteHostTsharkSees() throws {
        let capture = try TestData.path(wikipedia)
        let r = try runCommand(netwatchBinary(), ["timeline", "-r", capture, "-t", "0.5", "-w", "60"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("netwatch timeline · 0:00:06 elapsed · 0.5 s per column · 10 IPs"), lines[0])
        XCTAssertEqual(lines[1], "Legend: ▲ new  ■ active  ○ unanswered  × closed  · idle")
        // Every TCP connection attempt tshark sees has a row for its server, with its port.
        let syns = try runTool("tshark", ["-r", capture, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "-T", "fields", "-e", "ip.dst", "-e", "tcp.dstport"]).output
        let servers = Set(syns.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) })
        XCTAssertGreaterThanOrEqual(servers.count, 3)
        for s in servers {
            let row = try XCTUnwrap(lines.first { $0.hasPrefix(s[0] + " ") }, "no row for \(s[0])")
            XCTAssertTrue(row.contains("Port:\(s[1])"), row)
            XCTAssertTrue(row.contains("▲"), row)
            // One column per 0.5 s; 60 columns shown.
            let marks = row.unicodeScalars.filter { "▲■○×·".unicodeScalars.contains($0) }
            XCTAssertEqual(marks.count, 60, row)
        }
        // 173.192.163.128 never answered the SYN: half-open.
        XCTAssertTrue(lines.contains { $0.hasPrefix("173.192.163.128 ") && $0.contains("○") && $0.contains("[UNANSWERED | Port:80]") }, r.output)
    }

    func testScrollModeLineByLine() throws {
        let capture = try TestData.path(wikipedia)
        let r = try runCommand(netwatchBinary(), ["timeline", "-r", capture, "--scroll"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("netwatch timeline: packets from"), lines[0])
        let event = try NSRegularExpression(pattern: #"^\[\d\d:\d\d:\d\d\] (NEW → \S+  ((ESTABLISHED|SYN_SENT|SYN_RECV|UDP):\d+|ICMP)|CLOSED ← \S+  port \d+)$"#)
        let events = lines.dropFirst().dropLast()
        for l in events {
            XCTAssertNotNil(event.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)), l)
        }
        // A NEW line per flow (the run summary counts 34), in packet time order, from 19:06:07 UTC.
        XCTAssertEqual(events.filter { $0.contains("NEW →") }.count, 34)
        XCTAssertTrue(r.stderr.contains("34 flows"), r.stderr)
        XCTAssertEqual(events.first, "[19:06:07] NEW → 224.0.0.251  UDP:5353")
        XCTAssertTrue(events.contains("[19:06:08] NEW → 208.80.152.2  SYN_SENT:80"))
        XCTAssertTrue(lines.last!.hasPrefix("[19:06:13] STATUS 10 IPs"), lines.last!)
    }

    func testFiltersSaveThresholdAndExportOnAReplay() throws {
        let capture = try TestData.path(wikipedia)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try netwatchBinary()
        func timeline(_ args: String) throws -> CommandResult {
            try runCommand("/bin/sh", ["-c", "cd '\(dir.path)' && exec '\(binary)' timeline -r '\(capture)' \(args)"])
        }
        func rows(_ r: CommandResult) -> [String] {
            r.output.split(separator: "\n").dropFirst(3).map { String($0.split(separator: " ")[0]) }
        }
        let all = try timeline("")
        XCTAssertEqual(rows(all).count, 10)
        // --filter-local: multicast (224.0.0.251, 224.0.0.252, ff02::fb, ff02::1:3) goes.
        let local = try timeline("--filter-local")
        XCTAssertEqual(Set(rows(local)), ["208.80.152.3", "208.80.152.2", "208.80.152.118", "173.192.163.128", "141.142.220.255", "141.142.2.2"])
        XCTAssertTrue(local.output.hasPrefix("netwatch timeline · 0:00:06 elapsed · 1.0 s per column · 6 IPs (4 hidden)"), local.output)
        // --filter-file, combined: a CIDR, an address, a comment, and a bad line (warned, skipped).
        try "# wikimedia\n208.80.152.0/24\n141.142.2.2  # resolver\nnot-an-address\n".write(to: dir.appendingPathComponent("hide.txt"), atomically: true, encoding: .utf8)
        let both = try timeline("--filter-local --filter-file hide.txt")
        XCTAssertEqual(Set(rows(both)), ["173.192.163.128", "141.142.220.255"])
        XCTAssertTrue(both.stderr.contains("hide.txt:4"), both.stderr)
        let missing = try timeline("--filter-file nope.txt")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nope.txt"), missing.stderr)

        // --save-threshold 50: the hosts with a mark in at least half of the run's 7 columns: the
        // four web servers (a connection open from the 2nd second to the end) and the NetBIOS
        // broadcast address (tshark: packets in seconds 3, 4, 5 and 6).
        let saved = try timeline("--save-threshold 50 -o export.txt")
        XCTAssertEqual(saved.status, 0, saved.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("frequent_ips_50pct_") }
        XCTAssertEqual(names.count, 1)
        XCTAssertNotNil(names[0].range(of: #"^frequent_ips_50pct_\d{8}_\d{6}\.txt$"#, options: .regularExpression), names[0])
        let frequent = try String(contentsOf: dir.appendingPathComponent(names[0]), encoding: .utf8)
        let ips = frequent.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        XCTAssertTrue(frequent.hasPrefix("# netwatch timeline: IPs connected at least 50% of the run\n"), frequent)
        XCTAssertEqual(Set(ips), ["208.80.152.3", "208.80.152.2", "208.80.152.118", "173.192.163.128", "141.142.220.255"], frequent)
        // The saved file is a filter file: those hosts go.
        let reused = try timeline("--filter-file \(names[0])")
        XCTAssertEqual(Set(rows(reused)).intersection(ips), [])
        XCTAssertEqual(rows(reused).count, 5)

        // The export: the whole run even when the screen width (-w) is smaller.
        let narrow = try timeline("-w 5 -t 0.25 -o narrow.txt")
        XCTAssertEqual(narrow.status, 0, narrow.stderr)
        let export = try String(contentsOf: dir.appendingPathComponent("narrow.txt"), encoding: .utf8)
        for section in ["# netwatch timeline export", "Runtime:  0:00:06 (26 columns of 0.25 s)", "== Timeline: one column per 0.25 s, the whole run ==",
                        "== Per-IP statistics ==", "== 10 most active ==", "== Runtime summary ==", "Connections opened: 34"] {
            XCTAssertTrue(export.contains(section), "\(section) missing in:\n\(export)")
        }
        let row = try XCTUnwrap(export.split(separator: "\n").first { $0.hasPrefix("208.80.152.2 ") })
        XCTAssertEqual(row.unicodeScalars.filter { "▲■○×·".unicodeScalars.contains($0) }.count, 26, String(row))
        let top = export.components(separatedBy: "== 10 most active ==\n")[1].split(separator: "\n").prefix(10)
        XCTAssertEqual(top.count, 10)
        XCTAssertTrue(top[0].hasPrefix("1. "), String(top[0]))
    }

    /// Issue 24, item 15: labels say what happened. A flow first seen midstream is no SYN_SENT,
    /// ICMP has no port, and the export's "Last seen" agrees with its "Time active".
    func testTimelineLabelsSayWhatHappened() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func tcp(_ flags: UInt8, seq: UInt8) -> [UInt8] {
            var p: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
            p += [0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
            p += [0x9C, 0x40, 0, 80, 0, 0, 0, seq, 0, 0, 0, 1, 0x50, flags, 0x10, 0, 0, 0, 0, 0]
            return p
        }
        let ping: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 28, 0, 2, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 3,
                             8, 0, 0, 0, 0, 7, 0, 1]
        let file = dir.appendingPathComponent("midstream.pcap")
        try writePcap([tcp(0x10, seq: 1), tcp(0x18, seq: 2), ping], to: file)
        let r = try runCommand(netwatchBinary(), ["timeline", "-r", file.path, "--scroll"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.output.contains("NEW → 10.0.0.2  ESTABLISHED:80"), r.output)
        XCTAssertFalse(r.output.contains("SYN_SENT"), r.output)
        XCTAssertTrue(r.output.contains("NEW → 10.0.0.3  ICMP\n"), r.output)
        XCTAssertFalse(r.output.contains("ICMP:0"), r.output)

        let export = dir.appendingPathComponent("export.txt")
        let e = try runCommand(netwatchBinary(), ["timeline", "-r", try TestData.path(wikipedia), "-o", export.path])
        XCTAssertEqual(e.status, 0, e.stderr)
        let text = try String(contentsOf: export, encoding: .utf8)
        let rows = text.components(separatedBy: "== Per-IP statistics ==\n")[1].components(separatedBy: "\n\n")[0].split(separator: "\n").dropFirst()
        XCTAssertGreaterThan(rows.count, 5)
        let time = DateFormatter()
        time.dateFormat = "yyyy-MM-dd HH:mm:ss"
        time.timeZone = TimeZone(identifier: "UTC")
        for row in rows {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let first = try XCTUnwrap(time.date(from: f[5])), last = try XCTUnwrap(time.date(from: f[6]))
            let active = f[7].split(separator: ":").reduce(0) { $0 * 60 + (Int($1) ?? 0) }
            // Columns of 1 s: active at most the seen span plus one column.
            XCTAssertLessThanOrEqual(Double(active), last.timeIntervalSince(first) + 1.5, String(row))
        }
    }

    func testGeoCommand() throws {
        let geo = try TestData.path("geoip")
        let binary = try netwatchBinary()
        let r = try runCommand(binary, ["geo", "1.0.0.1", "2001:200::1", "10.1.2.3", "--geo-path", geo, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.output, """
            {"ip": "1.0.0.1", "country": "AU", "asn": null, "org": null}
            {"ip": "2001:200::1", "country": "JP", "asn": 2500, "org": "WIDE Project"}
            {"ip": "10.1.2.3", "country": null, "asn": null, "org": null}

            """)
        let m = try runCommand(binary, ["geo", "81.2.69.160", "1.0.0.1", "--mmdb", geo + "/mmdb/GeoLite2-Country-Test.mmdb", "--mmdb", geo + "/mmdb/GeoLite2-ASN-Test.mmdb"])
        XCTAssertEqual(m.output, "81.2.69.160  GB  -\n1.0.0.1  --  AS15169 Google Inc.\n")
        let bad = try runCommand(binary, ["geo", "1.1.1.1", "banana", "--geo-path", geo])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.output, "1.1.1.1  AU  -\n")
        XCTAssertTrue(bad.stderr.contains("'banana' is not an IP address"), bad.stderr)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = try runCommand(binary, ["geo", "1.1.1.1", "--geo-path", dir.path])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("needs a GeoIP database: none found in \(dir.path)"), none.stderr)
        try "1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.255,CN,extra\n".write(to: dir.appendingPathComponent("dbip-country-lite-2026-11.csv"), atomically: true, encoding: .utf8)
        let broken = try runCommand(binary, ["geo", "1.1.1.1", "--geo-path", dir.path])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stderr.contains("dbip-country-lite-2026-11.csv:2: expected 3 fields"), broken.stderr)
        let corrupt = try runCommand(binary, ["timeline", "--lookup-country", "--mmdb", geo + "/mmdb/bad-data/invalid-data-record-offset.mmdb"])
        XCTAssertEqual(corrupt.status, 1)
        XCTAssertTrue(corrupt.stderr.contains("invalid-data-record-offset.mmdb: metadata"), corrupt.stderr)
    }
}

/// The live timeline between network-namespace test hosts.
final class TimelineLiveTests: XCTestCase {
    static let hold = "import socket, sys, time; s = socket.create_connection((sys.argv[1], 8080)); time.sleep(float(sys.argv[2])); s.close()"
    static let silentDNS = "import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 53))\nwhile True: s.recvfrom(512)"

    /// The dashboard as a person sees it: rows, symbols, names (one hostile, one behind a DNS
    /// server that never answers), GeoIP columns, a resize, the export on Ctrl+C.
    func testDashboardOnATerminal() throws {
        guard which("tmux") != nil else { throw XCTSkip("tmux is not installed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let net = hosts.addressB.split(separator: ".").prefix(3).joined(separator: ".")
        let second = net + ".3"
        try shell("ip -n \(hosts.b) addr add \(second)/24 dev \(hosts.interfaceB)")
        // Names: a hosts file with a name holding an escape sequence; DNS that never answers.
        let etc = "/etc/netns/\(hosts.a)"
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: etc) }
        try Data("127.0.0.1 localhost\n\(hosts.addressB) \u{1B}[31mevil.test\n".utf8).write(to: URL(fileURLWithPath: etc + "/hosts"))
        try "nameserver \(hosts.addressB)\n".write(toFile: etc + "/resolv.conf", atomically: true, encoding: .utf8)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "\(net).0,\(net).2,NL\n\(net).3,\(net).255,SE\n".write(to: dir.appendingPathComponent("dbip-country-lite.csv"), atomically: true, encoding: .utf8)
        try "\(net).0,\(net).255,64512,\"Test Net, Inc.\"\n".write(to: dir.appendingPathComponent("dbip-asn-lite.csv"), atomically: true, encoding: .utf8)
        let web = try hosts.start(hosts.b, ["python3", "-m", "http.server", "8080", "--bind", "0.0.0.0", "--directory", dir.path])
        _ = web
        _ = try hosts.start(hosts.b, ["python3", "-c", Self.silentDNS, hosts.addressB])
        Thread.sleep(forTimeInterval: 1)

        let session = "nwtl\(UInt32.random(in: 0..<1_000_000))"
        let export = dir.appendingPathComponent("export.txt").path
        try tmux("new-session -d -s \(session) -x 160 -y 30 'ip netns exec \(hosts.a) env -u NO_COLOR TZ=UTC \(try netwatchBinary()) timeline -t 0.5 -w 40 --resolve-names --lookup-country --lookup-asn --geo-path \(dir.path) -o \(export); sleep 60'")
        defer { _ = try? tmux("kill-session -t \(session)") }
        func screen(_ escapes: Bool = false) throws -> String { try tmux("capture-pane -p -J \(escapes ? "-e " : "")-t \(session)") }
        func wait(_ ok: (String) -> Bool) throws -> String {
            for _ in 0..<100 {
                let s = try screen()
                if ok(s) { return s }
                usleep(100_000)
            }
            return try screen()
        }
        _ = try hosts.start(hosts.a, ["python3", "-c", Self.hold, hosts.addressB, "4"])
        _ = try hosts.start(hosts.a, ["python3", "-c", Self.hold, second, "6"])
        var s = try wait { $0.contains(hosts.addressB) && $0.contains(second) && $0.contains("evil.test") }
        let lines = s.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("netwatch timeline · "), s)
        XCTAssertTrue(lines[0].contains("0.5 s per column · 2 IPs"), s)
        XCTAssertTrue(lines[1].hasPrefix("Legend: ▲ new  ■ active  ○ unanswered  × closed  · idle"), s)
        let rowB = try XCTUnwrap(lines.first { $0.hasPrefix(hosts.addressB + " ") }, s)
        // The name's escape sequence is shown as text, never sent to the terminal.
        XCTAssertTrue(rowB.contains("(\\x1b\\x5b31mevil.test)"), rowB)
        // Port 53 too: the resolver's own queries to the silent DNS server on B.
        XCTAssertTrue(rowB.hasSuffix("[NL | AS64512 Test Net, Inc. | ACTIVE | Port:53,8080]") || rowB.hasSuffix("[NL | AS64512 Test Net, Inc. | ACTIVE | Port:8080]"), rowB)
        XCTAssertTrue(rowB.contains("▲") || rowB.contains("■"), rowB)
        let rowSecond = try XCTUnwrap(lines.first { $0.hasPrefix(second + " ") }, s)
        XCTAssertTrue(rowSecond.hasSuffix("[SE | AS64512 Test Net, Inc. | ACTIVE | Port:8080]"), rowSecond)
        XCTAssertFalse(rowSecond.contains("("), "no name while the DNS server is silent: \(rowSecond)")
        // The silent resolver holds nothing up: the clock in the header moves on meanwhile.
        let before = lines[0]
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertNotEqual(try screen().split(separator: "\n")[0], Substring(before))
        // Colours, one per symbol kind.
        let coloured = try screen(true)
        XCTAssertTrue(coloured.contains("\u{1B}[34m■"), coloured)
        XCTAssertTrue(coloured.contains("\u{1B}[90m·"), coloured)
        // The held connection to B ends after 4 s: a ×, then the row goes on idle.
        s = try wait { $0.split(separator: "\n").first { $0.hasPrefix(hosts.addressB + " ") }?.contains("×") ?? false }
        XCTAssertTrue(s.split(separator: "\n").first { $0.hasPrefix(hosts.addressB + " ") }!.contains("▲■"), s)
        // Narrower: the rows still fit.
        _ = try tmux("resize-window -t \(session) -x 72 -y 12")
        s = try wait { $0.split(separator: "\n").allSatisfy { $0.count <= 72 } && $0.contains(second) }
        for l in s.split(separator: "\n") { XCTAssertLessThanOrEqual(l.count, 72, "\(l)\n\(s)") }
        XCTAssertTrue(s.contains(hosts.addressB) && s.contains(second), s)
        _ = try tmux("send-keys -t \(session) C-c")
        s = try wait { $0.contains("saved to") }
        XCTAssertTrue(s.contains("netwatch: timeline of 2 IPs saved to \(export)"), s)
        let text = try String(contentsOfFile: export, encoding: .utf8)
        XCTAssertTrue(text.contains("\(hosts.addressB)\t\\x1b\\x5b31mevil.test\tNL\tAS64512\tTest Net, Inc.\t"), text)
        XCTAssertFalse(text.contains("\u{1B}"), "no raw escapes in the export")
    }

    /// On a terminal: colours unless NO_COLOR or --no-color, and the question on exit that
    /// saves the timeline when no -o was given.
    func testColoursAndTheSaveQuestionOnATerminal() throws {
        guard which("tmux") != nil else { throw XCTSkip("tmux is not installed (scripts/setup --test installs it)") }
        let capture = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let binary = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (setting, coloured) in [("env -u NO_COLOR", true), ("env NO_COLOR=1", false), ("env -u NO_COLOR", false)] {
            let session = "nwtc\(UInt32.random(in: 0..<1_000_000))"
            let flag = coloured || setting.contains("NO_COLOR=1") ? "" : "--no-color"
            try tmux("new-session -d -s \(session) -x 200 -y 40 'cd \(dir.path) && \(setting) TZ=UTC \(binary) timeline -r \(capture) \(flag); sleep 30'")
            defer { _ = try? tmux("kill-session -t \(session)") }
            var s = ""
            for _ in 0..<100 {
                s = try tmux("capture-pane -p -J -e -t \(session)")
                if s.contains("[y/N]") { break }
                usleep(100_000)
            }
            XCTAssertTrue(s.contains("Save the timeline to a file? [y/N]"), s)
            XCTAssertEqual(s.contains("\u{1B}[32m▲"), coloured, "\(setting) \(flag): \(s)")
            XCTAssertEqual(s.contains("\u{1B}[3"), coloured, "\(setting) \(flag): \(s)")
            if coloured {
                _ = try tmux("send-keys -t \(session) y Enter")
                usleep(300_000)
                _ = try tmux("send-keys -t \(session) answered.txt Enter")
                for _ in 0..<50 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("answered.txt").path) { usleep(100_000) }
                usleep(200_000)
                let text = try String(contentsOf: dir.appendingPathComponent("answered.txt"), encoding: .utf8)
                XCTAssertTrue(text.hasPrefix("# netwatch timeline export\n"), text)
                XCTAssertTrue(text.contains("== 10 most active =="), text)
            } else {
                _ = try tmux("send-keys -t \(session) Enter")
            }
        }
    }

    /// The event log from the live socket table: NEW and CLOSED lines, a status line every 10 s.
    func testScrollModeFromTheSocketTable() throws {
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "8080", "--bind", hosts.addressB, "--directory", dir.path])
        Thread.sleep(forTimeInterval: 1)
        let out = dir.appendingPathComponent("out.txt")
        let run = try hosts.start(hosts.a, [try netwatchBinary(), "timeline", "--scroll", "-t", "0.5", "--duration", "11"], output: out)
        Thread.sleep(forTimeInterval: 1)
        try hosts.exec(hosts.a, "python3 -c '\(Self.hold.replacingOccurrences(of: "'", with: "\""))' \(hosts.addressB) 1.5")
        run.waitUntilExit()
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("netwatch timeline: socket table"), lines.joined(separator: "\n"))
        let new = lines.filter { $0.contains("NEW → \(hosts.addressB)  ESTABLISHED:8080") }
        let closed = lines.filter { $0.contains("CLOSED ← \(hosts.addressB)  port 8080") }
        XCTAssertEqual(new.count, 1, lines.joined(separator: "\n"))
        XCTAssertEqual(closed.count, 1, lines.joined(separator: "\n"))
        XCTAssertNotNil(new[0].range(of: #"^\[\d\d:\d\d:\d\d\] NEW → "#, options: .regularExpression))
        // One status line at 10 s, one at the end.
        XCTAssertEqual(lines.filter { $0.contains("] STATUS 1 IPs") }.count, 2, lines.joined(separator: "\n"))
    }
}
