import NetwatchDecode
@testable import NetwatchHost
import XCTest

/// The procfs table format, line by line (the live comparison with ss and psutil is in the CLI tests).
final class ProcSocketTableTests: XCTestCase {
    func testParsesIPv4IPv6AndMappedAddresses() {
        let tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
               1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 12346 1 0000000000000000 20 4 30 10 -1
               2: garbage line
            """
        let tcp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
               1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000200A8C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 778 1 0000000000000000 20 4 30 10 -1
            """
        var sockets: [Socket] = []
        ProcSocketSource.parseTable(Array(tcp.utf8), transport: .tcp, ipv6: false, into: &sockets)
        ProcSocketSource.parseTable(Array(tcp6.utf8), transport: .tcp, ipv6: true, into: &sockets)
        XCTAssertEqual(sockets.count, 4, "the garbage line is skipped")
        XCTAssertEqual("\(sockets[0].localAddress):\(sockets[0].localPort)", "127.0.0.1:8080")
        XCTAssertEqual(sockets[0].state, .listen)
        XCTAssertEqual(sockets[0].inode, 12345)
        XCTAssertEqual("\(sockets[1].remoteAddress):\(sockets[1].remotePort)", "127.0.0.1:50000")
        XCTAssertEqual(sockets[1].state, .established)
        XCTAssertEqual(sockets[1].uid, 1000)
        XCTAssertEqual("\(sockets[2].localAddress)", "::1")
        XCTAssertEqual(sockets[2].localPort, 22)
        // IPv4-mapped IPv6 is shown as IPv4.
        XCTAssertEqual("\(sockets[3].localAddress)", "127.0.0.1")
        XCTAssertEqual("\(sockets[3].remoteAddress):\(sockets[3].remotePort)", "192.168.0.2:54321")
        XCTAssertFalse(sockets[3].localAddress.isIPv6)
        XCTAssertTrue(sockets[3].ipv6Table)
    }
}
