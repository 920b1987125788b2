import Foundation
import NetwatchTestSupport
import XCTest

/// netwatch on a real terminal (tmux), read back with capture-pane as a person would see it.
final class TerminalTests: XCTestCase {
    func testInteractiveSetupOnATerminal() throws {
        guard which("tmux") != nil else { throw XCTSkip("tmux is not installed (scripts/setup --test installs it)") }
        let hosts = try TestHosts()
        defer { hosts.tearDown() }
        let session = "nwtest\(UInt32.random(in: 0..<1_000_000))"
        let binary = try netwatchBinary()
        try tmux("new-session -d -s \(session) -x 160 -y 50 'ip netns exec \(hosts.a) env -u NO_COLOR TZ=UTC \(binary); sleep 30'")
        defer { _ = try? tmux("kill-session -t \(session)") }
        func screen() throws -> String { try tmux("capture-pane -p -e -t \(session)") }
        func waitScreen(_ text: String) throws -> String {
            for _ in 0..<100 {
                let s = try screen()
                if s.contains(text) { return s }
                usleep(100_000)
            }
            return try screen()
        }
        var s = try waitScreen("Interface (number or name, blank for all):")
        XCTAssertTrue(s.contains("interactive set-up"), s)
        XCTAssertTrue(s.contains(hosts.interfaceA), "the test host's interface is offered: \(s)")
        try tmux("send-keys -t \(session) 'no-such-if' Enter")
        s = try waitScreen("No interface \"no-such-if\"")
        XCTAssertTrue(s.contains("No interface \"no-such-if\""), s)
        try tmux("send-keys -t \(session) '\(hosts.interfaceA)' Enter")
        s = try waitScreen("Choice [1]:")
        XCTAssertTrue(s.contains("HTTP/HTTPS"), s)
        // A custom filter that does not compile is asked for again (issue 24, item 13).
        try tmux("send-keys -t \(session) '7' Enter")
        s = try waitScreen("BPF expression")
        try tmux("send-keys -t \(session) 'tcp port' Enter")
        s = try waitScreen("Try again")
        XCTAssertTrue(s.contains("syntax error"), s)
        XCTAssertFalse(s.contains("Display mode:"), "a bad filter is not taken: \(s)")
        try tmux("send-keys -t \(session) 'icmp or icmp6' Enter")
        s = try waitScreen("Display mode:")
        try tmux("send-keys -t \(session) '' Enter")  // compact
        s = try waitScreen("capturing on \(hosts.interfaceA) with filter \"icmp or icmp6\"")
        try hosts.exec(hosts.a, "ping -c 2 -i 0.2 \(hosts.addressB)")
        s = try waitScreen("echo reply")
        // Packets come in batches (up to 100 ms apart): wait for both requests.
        for _ in 0..<50 where s.components(separatedBy: "echo request").count < 3 {
            usleep(100_000)
            s = try screen()
        }
        let lines = s.split(separator: "\n").filter { $0.contains("ICMP") }
        XCTAssertEqual(lines.filter { $0.contains("echo request") }.count, 2, s)
        XCTAssertFalse(s.contains("ARP"), "the ICMP filter is applied: \(s)")
        // Colours on a terminal: ICMP yellow, timestamps cyan.
        XCTAssertTrue(s.contains("\u{1B}[33mICMP"), s)
        XCTAssertTrue(s.contains("\u{1B}[36m["), s)
        try tmux("send-keys -t \(session) C-c")
        s = try waitScreen("packets received by filter")
        XCTAssertTrue(s.contains("netwatch: 4 packets"), s)
    }

    func testNoColorEnvironmentOnATerminal() throws {
        guard which("tmux") != nil else { throw XCTSkip("tmux is not installed") }
        let file = try TestData.path("pcap/mixed/cs_tcp_handshake.pcapng")
        let session = "nwtest\(UInt32.random(in: 0..<1_000_000))"
        let binary = try netwatchBinary()
        try tmux("new-session -d -s \(session) -x 160 -y 20 'NO_COLOR=1 \(binary) -r \(file); env -u NO_COLOR \(binary) -r \(file); sleep 30'")
        defer { _ = try? tmux("kill-session -t \(session)") }
        var s = ""
        for _ in 0..<50 {
            s = try tmux("capture-pane -p -e -t \(session)")
            if s.components(separatedBy: "3 packets").count == 3 { break }
            usleep(100_000)
        }
        let halves = s.components(separatedBy: "netwatch: 3 packets")
        XCTAssertEqual(halves.count, 3, s)
        XCTAssertFalse(halves[0].contains("\u{1B}[32m"), "NO_COLOR: no colour: \(halves[0])")
        XCTAssertTrue(halves[1].contains("\u{1B}[32mTCP"), "colour on a terminal: \(halves[1])")
    }
}
