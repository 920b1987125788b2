import Foundation
import NetwatchTestSupport
import XCTest

/// The history store under pressure: retention by age and size, kill -9 in the middle of
/// writing, a full disk, and a live run between test hosts queried while it records.
final class HistoryFaultTests: XCTestCase {
    /// `netwatch history check`: sound or not, and the conn records it holds.
    private func check(_ netwatch: String, _ db: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let r = try runCommand(netwatch, ["history", "check", "--db", db])
        XCTAssertEqual(r.status, 0, r.output + r.stderr, file: file, line: line)
        XCTAssertTrue(r.output.contains("sound (integrity check ok)"), r.output, file: file, line: line)
        let words = r.output.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let i = words.firstIndex(of: "conn"), i > 0, let n = Int(words[i - 1]) else {
            XCTFail("no conn count in: \(r.output)", file: file, line: line)
            return 0
        }
        return n
    }

    private func lines(_ r: CommandResult) -> [Substring] { r.output.split(separator: "\n") }

    /// Records older than --retention go; --history-max-size holds the file under its bound
    /// at every moment of a run that writes ten times as much.
    func testRetentionKeepsTheAgeAndTheSize() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("age.db").path
        XCTAssertEqual(try runCommand(netwatch, ["history", "bench", "--db", db, "--records", "100000", "--hours", "48"]).status, 0)
        XCTAssertGreaterThan(lines(try runCommand(netwatch, ["history", "flows", "--db", db, "--json", "--until", "30h"])).count, 30_000)
        let r = try runCommand(netwatch, ["history", "bench", "--db", db, "--records", "1000", "--hours", "1", "--retention", "24h"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // A little past 24 h: the query's clock is a moment later than the pruning's.
        XCTAssertTrue(try runCommand(netwatch, ["history", "flows", "--db", db, "--until", "86410s"]).output.hasPrefix("no connections recorded"))
        XCTAssertGreaterThan(lines(try runCommand(netwatch, ["history", "flows", "--db", db, "--json", "--since", "23h"])).count, 40_000)
        XCTAssertGreaterThan(try check(netwatch, db), 45_000)

        let sized = dir.appendingPathComponent("size.db").path
        let bound = 12 * 1_048_576
        let sampler = SizeSampler(path: sized)
        let s = try runCommand(netwatch, ["history", "bench", "--db", sized, "--records", "300000", "--hours", "5", "--history-max-size", "12MB"], timeout: 300)
        let largest = sampler.stop()
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertLessThanOrEqual(largest, bound, "the file grew past its bound")
        let kept = try check(netwatch, sized)
        XCTAssertGreaterThan(kept, 20_000)
        XCTAssertLessThan(kept, 150_000)
        print("history retention: \(kept) of 300000 conn records kept under 12 MiB; the file peaked at \(largest) bytes")
    }

    /// kill -9 at random moments of writing, 20 times: each time the database opens, passes
    /// PRAGMA integrity_check and has kept every record it had before; the host index catches
    /// up with what the kill left unindexed, and a host's flows match a scan of conn.
    func testKillNineLeavesASoundDatabase() throws {
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("kill.db").path
        var before = 0
        var kills = 0
        for round in 0..<40 where kills < 20 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: netwatch)
            p.arguments = ["history", "bench", "--db", db, "--records", "150000", "--hours", "3"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 600_000...3_000_000))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
            let now = try check(netwatch, db)
            XCTAssertGreaterThanOrEqual(now, before, "round \(round): records committed before the kill are gone")
            before = now
        }
        XCTAssertGreaterThanOrEqual(kills, 20)
        XCTAssertGreaterThan(before, 0)
        // Readers scan what is not indexed yet; a writer indexes it first.
        func compare(_ label: String) throws {
            let top = try runCommand(netwatch, ["history", "top", "hosts", "--db", db, "--exact", "--top", "3", "--json"])
            for line in lines(top) {
                let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let host = try XCTUnwrap(o["host"] as? String)
                let flows = lines(try runCommand(netwatch, ["history", "flows", "--db", db, "--host", host, "--json"])).count
                XCTAssertEqual(flows, o["flows"] as? Int, "\(label): \(host)")
            }
        }
        try compare("after the last kill")
        XCTAssertEqual(try runCommand(netwatch, ["history", "bench", "--db", db, "--records", "10"]).status, 0)
        try compare("after a writer caught up")
        print("history kill -9: \(kills) kills, the database sound each time, \(before) conn records kept")
    }

    /// The disk fills up under a live writer: one warning, the capture goes on, the records
    /// that could not be written are counted, and writing resumes when there is room again.
    func testFullDiskWarnsCountsAndResumes() throws {
        guard isRoot else { throw XCTSkip("mounting a small tmpfs needs root") }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer {
            _ = try? shell("umount \(dir.path)/disk 2>/dev/null; true")
            try? FileManager.default.removeItem(at: dir)
        }
        let disk = dir.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        try shell("mount -t tmpfs -o size=16m tmpfs \(disk.path)")
        let db = disk.appendingPathComponent("h.db").path
        let err = dir.appendingPathComponent("err")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: netwatch)
        p.arguments = ["history", "bench", "--db", db, "--records", "40000", "--live-rate", "5000"]
        p.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        usleep(2_000_000)
        try shell("dd if=/dev/zero of=\(disk.path)/filler bs=64k 2>/dev/null; true")
        XCTAssertTrue(waitFor("the disk is full", in: err, timeout: 5), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        usleep(1_000_000)
        try FileManager.default.removeItem(atPath: disk.path + "/filler")
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let stderr = try String(contentsOf: err, encoding: .utf8)
        XCTAssertTrue(stderr.contains("is written again"), stderr)
        XCTAssertEqual(stderr.components(separatedBy: "the disk is full").count, 2, "one warning: \(stderr)")
        let kept = try check(netwatch, db)
        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try runCommand(netwatch, ["history", "runs", "--db", db, "--json"]).stdout)) as? [String: Any])
        let dropped = try XCTUnwrap(run["records_dropped"] as? Int)
        XCTAssertGreaterThan(dropped, 0)
        XCTAssertEqual(kept + dropped, 40_000, "every record is either in the database or counted as dropped")
        // Written after the disk had room again: the newest records are there.
        XCTAssertGreaterThan(lines(try runCommand(netwatch, ["history", "flows", "--db", db, "--json", "--since", "3s"])).count, 0)
        print("history full disk: \(dropped) records dropped while full, \(kept) written")
    }

    /// A live run between test hosts: curl downloads and an nmap scan while netwatch records;
    /// `history flows --host` and `history alerts` answer during the run and after it.
    func testLiveRunAnswersWhileRecording() throws {
        for t in ["curl", "nmap"] where which(t) == nil { throw XCTSkip("\(t) is not installed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let www = dir.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 200_000).write(to: www.appendingPathComponent("file.bin"))
        _ = try hosts.start(hosts.b, ["python3", "-m", "http.server", "80", "--bind", hosts.addressB, "--directory", www.path])
        usleep(500_000)
        let db = dir.appendingPathComponent("live.db").path
        let err = dir.appendingPathComponent("err")
        let p = try hosts.start(hosts.b, [netwatch, "-i", hosts.interfaceB, "-q", "--no-processes", "--history", db], error: err)
        XCTAssertTrue(waitFor("capturing on", in: err), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        usleep(300_000)
        for _ in 0..<3 { try hosts.exec(hosts.a, "curl -s -o /dev/null http://\(hosts.addressB)/file.bin") }
        try hosts.exec(hosts.a, "nmap -n -Pn -sS -T4 -p 1-200 \(hosts.addressB) >/dev/null")
        // During the run: the finished downloads and the scan's alert, within a few commits.
        var during: [Substring] = []
        var alerts = ""
        for _ in 0..<60 {
            during = lines(try runCommand(netwatch, ["history", "flows", "--db", db, "--host", hosts.addressA, "--port", "80", "--json"]))
            alerts = try runCommand(netwatch, ["history", "alerts", "--db", db, "--json"]).output
            if during.count >= 3 && alerts.contains("TCP SYN port scan") { break }
            usleep(250_000)
        }
        XCTAssertTrue(p.isRunning)
        XCTAssertGreaterThanOrEqual(during.count, 3, "the downloads, read while netwatch records")
        XCTAssertTrue(alerts.contains("TCP SYN port scan"), alerts)
        TestHosts.interrupt(p)
        XCTAssertEqual(p.terminationStatus, 0, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        // After: every download with its bytes, the scan's probes, the run closed.
        let downloads = lines(try runCommand(netwatch, ["history", "flows", "--db", db, "--host", hosts.addressB, "--port", "80", "--json"]))
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { ($0["resp_bytes"] as? Int ?? 0) >= 200_000 }
        XCTAssertEqual(downloads.count, 3)
        let probes = lines(try runCommand(netwatch, ["history", "flows", "--db", db, "--host", hosts.addressA, "--state", "REJ", "--json"]))
        XCTAssertGreaterThan(probes.count, 150, "the scan's refused probes")
        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try runCommand(netwatch, ["history", "runs", "--db", db, "--json"]).stdout)) as? [String: Any])
        XCTAssertNotNil(run["ended"])
        XCTAssertEqual(run["interfaces"] as? String, hosts.interfaceB)
        print("history live: \(during.count) downloads read during the run, \(probes.count) refused probes after it")
    }
}

extension HistoryFaultTests {
    /// Capturing on two interfaces at once, the series is kept per interface too, and the
    /// interfaces' seconds sum to the whole.
    func testSeriesPerInterface() throws {
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let netwatch = try netwatchBinary()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("if.db").path
        let err = dir.appendingPathComponent("err")
        let p = try hosts.start(hosts.b, [netwatch, "-i", "lo", "-i", hosts.interfaceB, "-q", "--no-processes", "--history", db], error: err)
        XCTAssertTrue(waitFor("capturing on", in: err), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        try hosts.exec(hosts.b, "ping -c 5 -i 0.2 127.0.0.1 >/dev/null")
        try hosts.exec(hosts.a, "ping -c 3 -i 0.2 \(hosts.addressB) >/dev/null")
        usleep(500_000)
        TestHosts.interrupt(p)
        func total(_ extra: [String]) throws -> Int {
            try runCommand(netwatch, ["history", "series", "--db", db, "--per", "second", "--json"] + extra).output.split(separator: "\n").reduce(0) {
                $0 + ((try? JSONSerialization.jsonObject(with: Data($1.utf8)) as? [String: Any])?["packets"] as? Int ?? 0)
            }
        }
        let lo = try total(["--interface", "lo"]), veth = try total(["--interface", hosts.interfaceB]), all = try total([])
        XCTAssertGreaterThanOrEqual(lo, 10, "5 pings on lo: requests and replies")
        XCTAssertGreaterThanOrEqual(veth, 6, "3 pings on the veth")
        XCTAssertEqual(lo + veth, all)
        // Each connection names the interface it came in on.
        let flows = try runCommand(netwatch, ["history", "flows", "--db", db, "--proto", "icmp", "--json"]).output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let loopback = flows.first { $0["id.resp_h"] as? String == "127.0.0.1" }
        let across = flows.first { $0["id.resp_h"] as? String == hosts.addressB }
        XCTAssertEqual(loopback?["interface"] as? String, "lo", "\(flows)")
        XCTAssertEqual(across?["interface"] as? String, hosts.interfaceB, "\(flows)")
    }
}

/// Samples a file's size every 20 ms on a thread of its own; `stop` returns the largest seen.
final class SizeSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var largest = 0
    private var running = true
    private let thread: Thread

    init(path: String) {
        var t: Thread!
        let box = Box()
        t = Thread { [box] in
            while box.sampler?.isRunning ?? true {
                if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int { box.sampler?.saw(size) }
                usleep(20_000)
            }
        }
        thread = t
        box.sampler = self
        t.start()
    }

    private final class Box: @unchecked Sendable { weak var sampler: SizeSampler? }

    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    func saw(_ size: Int) {
        lock.lock()
        largest = max(largest, size)
        lock.unlock()
    }

    func stop() -> Int {
        lock.lock()
        running = false
        let l = largest
        lock.unlock()
        return l
    }
}
