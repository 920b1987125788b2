import NetwatchDecode
@testable import NetwatchDetect
import NetwatchHost
import XCTest

/// A connection is its protocol and 4-tuple; its state changes (issue 24, item 5).
final class SocketWatchStateTests: XCTestCase {
    let client = ProcessOwner(pid: 4242, name: "python3", commandLine: "python3 client.py")
    let listed = IPAddress("10.77.5.2")!

    func connection(_ port: UInt16, _ state: SocketState, inode: UInt64, owned: Bool = true) -> Socket {
        Socket(transport: .tcp, ipv6Table: false, localAddress: IPAddress("10.77.5.1")!, localPort: port, remoteAddress: listed,
               remotePort: 9000, state: state, inode: inode, uid: 0, owner: owned ? client : nil)
    }

    func testShutdownIsOneCloseNotCloseAndOpen() throws {
        var list = Blocklist()
        list.load(text: "10.77.5.2\n", name: "bad.netset")
        var watch = SocketWatch(blocklist: list, connectionLimit: 20)
        let ports = (40000..<40025).map { UInt16($0) }
        _ = watch.scan([], time: 0)
        let up = watch.scan(ports.map { connection($0, .established, inode: UInt64($0)) }, time: 1)
        XCTAssertEqual(up.opened.count, 25)
        XCTAssertEqual(up.alerts.map(\.signature), [.blocklistedPeer, .excessiveConnections])
        // The client closes: each connection waits in TIME_WAIT, owned by no one.
        let down = watch.scan(ports.map { connection($0, .timeWait, inode: 0, owned: false) }, time: 2)
        XCTAssertEqual(down.opened.count, 0, "a change of state is no new connection")
        XCTAssertEqual(down.closed.count, 25)
        XCTAssertEqual(down.connections, 0, "TIME_WAIT is not a live connection")
        XCTAssertEqual(down.alerts.map(\.event), [.cleared, .cleared], "both findings end: \(down.alerts.map(\.reason))")
        // TIME_WAIT goes away: nothing more to say.
        let gone = watch.scan([], time: 62)
        XCTAssertEqual(gone.opened.count + gone.closed.count + gone.alerts.count, 0)
    }

    func testOrphanedSocketsAreNoProcesssConnections() {
        var watch = SocketWatch(blocklist: Blocklist(), connectionLimit: 20)
        _ = watch.scan([], time: 0)
        XCTAssertEqual(watch.scan([connection(1, .established, inode: 7)], time: 1).opened.count, 1)
        let orphan = watch.scan([connection(1, .finWait2, inode: 0, owned: false)], time: 2)
        XCTAssertEqual(orphan.closed.count, 1, "closed by its process, waiting for the peer")
        XCTAssertEqual(orphan.opened.count, 0)
        XCTAssertEqual(orphan.connections, 0)
    }

    func testStateChangesAndReuse() {
        var watch = SocketWatch(blocklist: Blocklist(), connectionLimit: 20)
        _ = watch.scan([], time: 0)
        XCTAssertEqual(watch.scan([connection(1, .synSent, inode: 7)], time: 1).opened.count, 1)
        let established = watch.scan([connection(1, .established, inode: 7)], time: 2)
        XCTAssertEqual(established.opened.count + established.closed.count, 0, "SYN_SENT to ESTABLISHED: the same connection")
        let closeWait = watch.scan([connection(1, .closeWait, inode: 7)], time: 3)
        XCTAssertEqual(closeWait.opened.count + closeWait.closed.count, 0)
        let reused = watch.scan([connection(1, .established, inode: 8)], time: 4)
        XCTAssertEqual(reused.opened.count, 1, "another socket on the same tuple is another connection")
        XCTAssertEqual(reused.closed.count, 1)
    }
}
