import Foundation
import NetwatchTestSupport
import XCTest

/// netwatch as a service: the privilege drop (as root, checked in /proc), SIGHUP (new block
/// list, broken config refused, logs reopened), sd_notify, the systemd unit, the .deb.
final class ServiceTests: XCTestCase {
    /// Fields of /proc/PID/status.
    func status(_ pid: Int32, task: String? = nil) -> [String: String] {
        let path = task.map { "/proc/\(pid)/task/\($0)/status" } ?? "/proc/\(pid)/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The pid of the netwatch process `ip netns exec` started (its child after exec: the same pid).
    func netwatchPID(_ p: Process) -> Int32 { p.processIdentifier }

    func testRootDropsToNobodyKeepsCapturingAndCannotWriteOutsideItsState() throws {
        for t in ["curl", "python3"] where which(t) == nil { throw XCTSkip("\(t) is not installed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The state folder belongs to the user; "outside" is root's (0755), as /etc is.
        let state = dir.appendingPathComponent("state"), outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try shell("chmod 755 \(dir.path) \(outside.path) && chown nobody \(state.path)")
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "80", "--bind", hosts.addressB, "--directory", dir.path])
        usleep(500_000)
        let err = dir.appendingPathComponent("err")
        let db = state.appendingPathComponent("h.db").path
        let log = state.appendingPathComponent("alerts.log").path
        let json = outside.appendingPathComponent("alerts.json").path
        let p = try hosts.start(hosts.b, [netwatch, "monitor", "-i", hosts.interfaceB, "-q", "--history", db, "--log", log, "--json-alerts", json,
                                          "--listen", "127.0.0.1:0", "-Z", "nobody"], error: err)
        XCTAssertTrue(waitFor("running as nobody", in: err), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        let s = status(netwatchPID(p))
        XCTAssertEqual(s["Uid"]?.split(separator: "\t").first, "65534", "\(s)")
        XCTAssertEqual(s["Gid"]?.split(separator: "\t").first, "65534", "\(s)")
        XCTAssertEqual(s["NoNewPrivs"], "1")
        // Live with process names: the packet thread keeps cap_dac_read_search and
        // cap_sys_ptrace (bits 2 and 19), nothing else; every other thread holds nothing.
        XCTAssertEqual(s["CapEff"], "0000000000080004")
        XCTAssertEqual(s["CapPrm"], "0000000000080004")
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(netwatchPID(p))/task").filter { $0 != "\(netwatchPID(p))" }
        XCTAssertGreaterThan(tasks.count, 2, "the web server's and the history writer's threads")
        for t in tasks {
            let ts = status(netwatchPID(p), task: t)
            guard let prm = ts["CapPrm"] else { continue }
            XCTAssertEqual(prm, "0000000000000000", "thread \(t) (\(ts["Name"] ?? "")) holds capabilities")
        }
        // Still captures after the drop.
        for _ in 0..<3 { try hosts.exec(hosts.a, "curl -s -o /dev/null http://\(hosts.addressB)/err") }
        // logrotate in the state folder: reopened; outside it: the user may not create the file.
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        try FileManager.default.moveItem(atPath: json, toPath: json + ".1")
        kill(netwatchPID(p), SIGHUP)
        XCTAssertTrue(waitFor("cannot reopen \(json): Permission denied", in: err), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: log), "the log reopened in the state folder")
        XCTAssertFalse(FileManager.default.fileExists(atPath: json), "nothing written outside the state folder")
        let owner = try FileManager.default.attributesOfItem(atPath: log)[.ownerAccountName] as? String
        XCTAssertEqual(owner, "nobody")
        XCTAssertTrue(p.isRunning)
        TestHosts.interrupt(p)
        XCTAssertEqual(p.terminationStatus, 0, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        let flows = try runCommand(netwatch, ["history", "flows", "--db", db, "--host", hosts.addressA, "--port", "80", "--json"])
        XCTAssertEqual(flows.output.split(separator: "\n").count, 3, flows.stderr)
    }

    /// The unit's way: an unprivileged user given CAP_NET_RAW and CAP_NET_ADMIN as ambient
    /// capabilities (setpriv here, systemd there). Capture opens, then no thread keeps any,
    /// also when the history database already exists (closing it starts libdispatch workers,
    /// which block signals: the drop must come before them).
    func testUnprivilegedUserWithAmbientCapabilitiesCapturesThenHoldsNone() throws {
        guard which("setpriv") != nil, which("curl") != nil else { throw XCTSkip("setpriv (util-linux) and curl are needed") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try shell("chmod 755 \(dir.path) && chown nobody \(dir.path)")
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "80", "--bind", hosts.addressB, "--directory", dir.path])
        usleep(500_000)
        let db = dir.appendingPathComponent("h.db").path
        for run in 1...2 {
            let err = dir.appendingPathComponent("err\(run)")
            let p = try hosts.start(hosts.b, ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=+net_raw,+net_admin",
                                              "--ambient-caps=+net_raw,+net_admin", "--", netwatch, "monitor", "-i", hosts.interfaceB, "-q",
                                              "--history", db, "--listen", "127.0.0.1:0"], error: err)
            XCTAssertTrue(waitFor("dashboard at", in: err), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
            usleep(300_000)
            // `ip netns exec` then setpriv exec into netwatch: the same pid.
            let pid = p.processIdentifier
            XCTAssertEqual(status(pid)["Uid"]?.split(separator: "\t").first, "65534")
            XCTAssertEqual(status(pid)["CapAmb"], "0000000000000000")
            for t in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
                let ts = status(pid, task: t)
                XCTAssertEqual(ts["CapPrm"], "0000000000000000", "run \(run): thread \(t) (\(ts["Name"] ?? "")) holds capabilities")
            }
            try hosts.exec(hosts.a, "curl -s -o /dev/null http://\(hosts.addressB)/")
            sleep(1)  // the kernel hands packets over in blocks, at least every 100 ms
            TestHosts.interrupt(p)
            XCTAssertEqual(p.terminationStatus, 0, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        }
        let flows = try runCommand(netwatch, ["history", "flows", "--db", db, "--host", hosts.addressA, "--port", "80", "--json"])
        let log = (1...2).map { (try? String(contentsOf: dir.appendingPathComponent("err\($0)"), encoding: .utf8)) ?? "" }.joined(separator: "\n")
        XCTAssertEqual(flows.output.split(separator: "\n").count, 2, flows.stderr + flows.output + log)
    }

    func testWebServerIsNeverRunAsRoot() throws {
        guard isRoot else { throw XCTSkip("needs root") }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runCommand(netwatch, ["serve", "--db", dir.appendingPathComponent("none.db").path, "-Z", "root"])
        XCTAssertNotEqual(r.status, 0)
        let db = dir.appendingPathComponent("h.db").path
        _ = try runCommand(netwatch, ["-r", try TestData.path("pcap/mixed/cs_http_google.pcapng"), "-q", "--history", db])
        let served = try runCommand(netwatch, ["serve", "--db", db, "--listen", "127.0.0.1:0", "-Z", "root"], timeout: 20)
        XCTAssertEqual(served.status, 1)
        XCTAssertTrue(served.stderr.contains("refusing to serve the web dashboard as root"), served.stderr)
        let nobody = try runCommand(netwatch, ["serve", "--db", db, "--listen", "127.0.0.1:0", "-Z", "no-such-user-here"], timeout: 20)
        XCTAssertEqual(nobody.status, 1)
        XCTAssertTrue(nobody.stderr.contains("-Z no-such-user-here: no such user"), nobody.stderr)
    }

    func testHangupReloadsBlocklistAndKeepsTheOldConfigWhenTheNewOneIsBroken() throws {
        guard which("curl") != nil else { throw XCTSkip("curl is not installed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try shell("chmod 755 \(dir.path)")
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "80", "--bind", hosts.addressB, "--directory", dir.path])
        usleep(500_000)
        let list = dir.appendingPathComponent("list.txt"), config = dir.appendingPathComponent("nw.yaml")
        try "192.0.2.1\n".write(to: list, atomically: true, encoding: .utf8)
        // Incidents close after 1 s quiet, so each new connection can alert again.
        try "blocklists: [list.txt]\nsuppress: 1\n".write(to: config, atomically: false, encoding: .utf8)
        let err = dir.appendingPathComponent("err"), alerts = dir.appendingPathComponent("alerts.json")
        let p = try hosts.start(hosts.b, [netwatch, "connections", "-i", hosts.interfaceB, "-q", "--no-processes", "--config", config.path,
                                          "--json-alerts", alerts.path], error: err)
        XCTAssertTrue(waitFor("capturing on", in: err))
        usleep(300_000)
        try hosts.exec(hosts.a, "curl -s -o /dev/null http://\(hosts.addressB)/")
        sleep(1)
        XCTAssertFalse(((try? String(contentsOf: alerts, encoding: .utf8)) ?? "").contains("block-listed"), "not listed yet")
        // The list gains the client's address; SIGHUP; the next connection alerts.
        try "192.0.2.1\n\(hosts.addressA)\n".write(to: list, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        XCTAssertTrue(waitFor("reloaded \(config.path): 2 block-list entries", in: err), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        usleep(300_000)
        try hosts.exec(hosts.a, "curl -s -o /dev/null http://\(hosts.addressB)/")
        XCTAssertTrue(waitFor("\"src_ip\":\"\(hosts.addressA)\"", in: alerts), (try? String(contentsOf: alerts, encoding: .utf8)) ?? "")
        let first = ((try? String(contentsOf: alerts, encoding: .utf8)) ?? "").components(separatedBy: "\"event_type\":\"alert\"").count - 1
        XCTAssertEqual(first, 1)
        // A broken config: refused with its file, line and key; the old one goes on working.
        try "blocklists: [list.txt]\nsuppress: 1\ndetectors:\n  port_scan:\n    ports: many\n".write(to: config, atomically: false, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        XCTAssertTrue(waitFor("reload refused, the running configuration is kept", in: err), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        let text = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        XCTAssertTrue(text.contains("nw.yaml:5"), text)
        XCTAssertTrue(text.contains("ports"), text)
        sleep(3)  // the first incident closes (suppress: 1)
        try hosts.exec(hosts.a, "curl -s -o /dev/null http://\(hosts.addressB)/")
        let deadline = Date().addingTimeInterval(10)
        var count = 0
        while Date() < deadline {
            count = ((try? String(contentsOf: alerts, encoding: .utf8)) ?? "").components(separatedBy: "\"event_type\":\"alert\"").count - 1
            if count >= 2 { break }
            usleep(100_000)
        }
        XCTAssertEqual(count, 2, "the list still applies after the broken reload")
        XCTAssertTrue(p.isRunning)
        TestHosts.interrupt(p)
        XCTAssertEqual(p.terminationStatus, 0)
    }

    /// sd_notify: READY=1 once capture is open, RELOADING=1 and READY=1 around a SIGHUP,
    /// STOPPING=1 at the end, on a socket this test listens on (systemd is not PID 1 here).
    func testNotifyProtocol() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try shell("chmod 755 \(dir.path)")
        let path = dir.appendingPathComponent("notify").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        XCTAssertEqual(bound, 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: netwatch)
        process.arguments = ["monitor", "-r", try TestData.path("pcap/mixed/cs_http_google.pcapng"), "-q", "--history", dir.appendingPathComponent("h.db").path, "--listen", "127.0.0.1:0"]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let ready = receive()
        XCTAssertTrue(ready.hasPrefix("READY=1\nSTATUS=capture "), ready)
        kill(process.processIdentifier, SIGHUP)
        let reloading = receive()
        XCTAssertTrue(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), reloading)
        XCTAssertEqual(receive(), "READY=1")
        kill(process.processIdentifier, SIGTERM)
        XCTAssertEqual(receive(), "STOPPING=1")
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    /// The unit as systemd reads it, and its exposure score (aim: under 3.0).
    func testSystemdUnitVerifiesAndIsConfined() throws {
        guard which("systemd-analyze") != nil else { throw XCTSkip("systemd-analyze is not installed (scripts/setup --test installs systemd)") }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unit = try String(contentsOfFile: packageRoot() + "/packaging/netwatch.service", encoding: .utf8)
        // The unit names /usr/bin/netwatch; here the binary is the one just built.
        let copy = dir.appendingPathComponent("netwatch.service")
        try unit.replacingOccurrences(of: "/usr/bin/netwatch", with: netwatch).write(to: copy, atomically: true, encoding: .utf8)
        // verify reports on standard error; the man page is not installed here (the package test checks it).
        let verify = try runCommand(which("systemd-analyze")!, ["verify", copy.path])
        let problems = verify.stderr.split(separator: "\n").filter { !$0.contains("man netwatch(8)") }
        XCTAssertTrue(problems.isEmpty, problems.joined(separator: "\n"))
        let security = try runTool("systemd-analyze", ["security", "--offline=true", copy.path])
        let line = security.output.split(separator: "\n").first { $0.contains("Overall exposure level") }
        let score = line.flatMap { l in l.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) } }
        print("systemd-analyze security: \(line ?? "no score")")
        XCTAssertNotNil(score, security.output)
        XCTAssertLessThan(score ?? 10, 3.0)
        for directive in ["Type=notify", "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                          "NoNewPrivileges=yes", "StateDirectory=netwatch", "MemoryMax=", "ExecReload=/bin/kill -HUP $MAINPID", "User=netwatch"] {
            XCTAssertTrue(unit.contains(directive), directive)
        }
    }

    /// The .deb (scripts/package; `scripts/test` builds it as root) installed into a fresh
    /// Debian chroot: the user made, `netwatch --version` and `man netwatch` work, purge
    /// leaves nothing behind.
    func testDebianPackageInstallsAndPurgesCleanly() throws {
        guard isRoot else { throw XCTSkip("needs root (chroot)") }
        guard let deb = ProcessInfo.processInfo.environment["NETWATCH_DEB"], FileManager.default.fileExists(atPath: deb) else {
            throw XCTSkip("no package: set NETWATCH_DEB to a built build/netwatch_*.deb (scripts/test does, as root)")
        }
        guard which("debootstrap") != nil else { throw XCTSkip("debootstrap is not installed (scripts/setup --test installs it)") }
        let dir = try temporaryDirectory()
        // The man page as groff reads it: no warnings.
        try shell("dpkg-deb -x \(deb) \(dir.path)/extracted")
        let page = try runCommand(which("man")!, ["--warnings", "-l", "\(dir.path)/extracted/usr/share/man/man8/netwatch.8.gz"], environment: ["MANWIDTH": "100"])
        XCTAssertTrue(page.stderr.isEmpty, page.stderr)
        XCTAssertTrue(page.output.contains("netwatch monitor"), String(page.output.prefix(300)))
        defer { _ = try? shell("umount \(dir.path)/root/proc 2>/dev/null; rm -rf \(dir.path)") }
        let root = dir.appendingPathComponent("root").path
        let suite = (try? shell(". /etc/os-release && echo ${VERSION_CODENAME:-bookworm}").trimmingCharacters(in: .whitespacesAndNewlines)) ?? "bookworm"
        let mirror = ProcessInfo.processInfo.environment["NETWATCH_DEBIAN_MIRROR"] ?? "http://deb.debian.org/debian"
        do {
            try shell("debootstrap --variant=minbase \(suite) \(root) \(mirror) >\(dir.path)/debootstrap.log 2>&1")
        } catch {
            throw XCTSkip("debootstrap could not make a \(suite) chroot here (no mirror?): \(error)")
        }
        try shell("cp /etc/resolv.conf \(root)/etc/resolv.conf && mount -t proc proc \(root)/proc && cp \(deb) \(root)/tmp/netwatch.deb")
        func inRoot(_ command: String) throws -> String { try shell("chroot \(root) /bin/sh -c '\(command)' 2>&1") }
        // The dependencies first, so the comparison below sees only what the package adds.
        _ = try inRoot("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends man-db libpcap0.8 libsqlite3-0 >/dev/null")
        // /run is a tmpfs on a real system (adduser leaves its lock there).
        let listing = "find / -xdev \\( -path /proc -o -path /run -o -path /var/cache -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/log -o -path /tmp \\) -prune -o -print | sort"
        let before = try inRoot(listing)
        let passwdBefore = try inRoot("cat /etc/passwd /etc/group")
        let install = try inRoot("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/netwatch.deb")
        XCTAssertTrue(try inRoot("dpkg -s netwatch").contains("Status: install ok installed"), install)
        XCTAssertTrue(try inRoot("/usr/bin/netwatch --version").hasPrefix("1."))
        XCTAssertTrue(try inRoot("getent passwd netwatch").contains("/var/lib/netwatch"))
        XCTAssertTrue(try inRoot("stat -c %U /var/lib/netwatch /var/log/netwatch").split(separator: "\n").allSatisfy { $0 == "netwatch" })
        let man = try inRoot("MANPAGER=cat MANWIDTH=100 man netwatch")
        XCTAssertTrue(man.contains("NETWATCH(8)") && man.contains("monitor") && man.contains("SIGHUP"), String(man.prefix(500)))
        XCTAssertTrue(try inRoot("netwatch config --check /etc/netwatch/netwatch.yaml").contains("fine"), "the packaged config")
        XCTAssertTrue(try inRoot("test -s /usr/share/bash-completion/completions/netwatch && test -s /usr/share/zsh/vendor-completions/_netwatch && echo ok").contains("ok"))
        _ = try inRoot("DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq netwatch")
        let after = try inRoot(listing)
        let added = Set(after.split(separator: "\n")).subtracting(before.split(separator: "\n"))
            .filter { !$0.hasSuffix("-") }  // shadow's own backups (/etc/passwd-) from useradd/userdel
        XCTAssertTrue(added.isEmpty, "left behind: \(added.sorted().prefix(40))")
        XCTAssertEqual(try inRoot("cat /etc/passwd /etc/group"), passwdBefore, "the netwatch user and group are removed")
    }

    /// Diagnostics: `netwatch: ...` on a terminal or file; with standard error as the journal
    /// (JOURNAL_STREAM names its device and inode) each line carries its syslog priority;
    /// --log-level hides what is below it.
    func testDiagnosticsCarryLevelsForTheJournal() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = try TestData.path("pcap/mixed/cs_http_google.pcapng")
        func run(_ arguments: [String], journal: Bool) throws -> String {
            let err = dir.appendingPathComponent("err-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: err.path, contents: nil)
            var st = stat()
            XCTAssertEqual(stat(err.path, &st), 0)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: netwatch)
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["JOURNAL_STREAM"] = journal ? "\(st.st_dev):\(st.st_ino)" : nil
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
            process.waitUntilExit()
            return try String(contentsOf: err, encoding: .utf8)
        }
        let plain = try run(["-r", capture, "-q", "--stats-interval", "0", "--no-detect"], journal: false)
        XCTAssertTrue(plain.contains("netwatch: "), plain)
        let journal = try run(["-r", capture, "-q", "--no-detect"], journal: true)
        let lines = journal.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("=") && !$0.hasPrefix(" ") }
        XCTAssertTrue(lines.contains { $0.hasPrefix("<5>") }, journal)  // notices: the run's summary
        XCTAssertFalse(journal.contains("netwatch: "), journal)
        let missing = try run(["-r", dir.appendingPathComponent("none.pcap").path], journal: true)
        XCTAssertTrue(missing.hasPrefix("<3>cannot open"), missing)
        let quiet = try run(["-r", capture, "-q", "--no-detect", "--log-level", "warning"], journal: false)
        XCTAssertFalse(quiet.contains("netwatch: "), quiet)
        let bad = try runCommand(netwatch, ["-r", capture, "--log-level", "loud"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--log-level takes trace, debug, info, notice, warning, error or critical"), bad.stderr)
    }

    func packageRoot() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
