import Foundation
import NetwatchCapture
import NetwatchDecode
import NetwatchFlow
import NetwatchTestSupport
import XCTest

/// Decodes a capture and runs it through a flow table, collecting every flow when it ends.
func flows(of path: String, capacity: Int = 1 << 16, timeouts: FlowTimeouts = FlowTimeouts()) throws -> (table: FlowTable, ended: [(Flow, FlowEnd)]) {
    let table = FlowTable(capacity: capacity, timeouts: timeouts)
    var ended: [(Flow, FlowEnd)] = []
    let source = try Savefile.open(path)
    let decoder = PacketDecoder()
    var p = DecodedPacket()
    var outer = DecodedPacket()
    var lastSweep: Int64 = 0
    _ = try source.run({ raw in
        decoder.decode(PacketBytes(raw.bytes), linkType: raw.linkType, wireLength: raw.wireLength, into: &p)
        let time = raw.seconds * 1_000_000_000 + Int64(raw.nanoseconds)
        var parent: UInt64 = 0
        if p.encapsulation.tunnels > 0 {
            parent = table.updateTunnels(PacketBytes(raw.bytes), linkType: raw.linkType, wireLength: raw.wireLength, tunnels: Int(p.encapsulation.tunnels),
                                         decoder: decoder, time: time, scratch: &outer) { ended.append(($0, $1)) }
        }
        if let update = table.update(p, time: time, wireLength: raw.wireLength, ended: { ended.append(($0, $1)) }), update.isNew, !p.encapsulation.isEmpty {
            table.setTunnel(update.index, parent: parent, p.encapsulation)
        }
        if time - lastSweep > 1_000_000_000 {
            table.expire(now: time) { ended.append(($0, $1)) }
            lastSweep = time
        }
        return true
    }, tick: {})
    table.removeAll { ended.append(($0, $1)) }
    return (table, ended)
}

final class CommunityIDTests: XCTestCase {
    /// Every packet of the spec's combined.pcap against the spec's own baseline.
    func testSpecBaseline() throws {
        let pcap = try TestData.path("community-id/combined.pcap")
        for (name, seed) in [("baseline_deflt.json", UInt16(0)), ("baseline_seed1.json", UInt16(1))] {
            let baseline = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try TestData.path("community-id/\(name)")))) as! [[String: Any]]
            // The baseline lists each distinct tuple once, in order of first appearance.
            var ours: [String] = []
            var seen = Set<String>()
            let decoder = PacketDecoder()
            var p = DecodedPacket()
            _ = try Savefile.open(pcap).run({ raw in
                decoder.decode(PacketBytes(raw.bytes), linkType: raw.linkType, wireLength: raw.wireLength, into: &p)
                if let id = CommunityID.of(p, bytes: PacketBytes(raw.bytes), seed: seed) {
                    let tuple = "\(p.ipProtocol) \(p.src) \(p.dst) \(p.srcPort) \(p.dstPort) \(p.icmp.type) \(p.icmp.code)"
                    if seen.insert(tuple).inserted { ours.append(id) }
                }
                return true
            }, tick: {})
            let expected = baseline.map { $0["communityid"] as! String }
            XCTAssertEqual(ours.count, expected.count, name)
            XCTAssertEqual(ours, expected, name)
        }
    }

    /// A flow's ID is the same whichever side sent first.
    func testFlowIDMatchesPacketID() throws {
        let (_, ended) = try flows(of: try TestData.path("community-id/tcp.pcap"))
        let baseline = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try TestData.path("community-id/baseline_deflt.json")))) as! [[String: Any]]
        let known = Set(baseline.map { $0["communityid"] as! String })
        XCTAssertFalse(ended.isEmpty)
        for (flow, _) in ended { XCTAssertTrue(known.contains(flow.communityID), flow.communityID) }
    }
}

final class ConnectionStateTests: XCTestCase {
    func onlyTCPFlow(_ file: String) throws -> Flow {
        let (_, ended) = try flows(of: try TestData.path(file))
        let tcp = ended.map(\.0).filter { $0.transport == .tcp }
        XCTAssertEqual(tcp.count, 1, file)
        return tcp[0]
    }

    func testClassicCases() throws {
        let handshake = try onlyTCPFlow("pcap/mixed/cs_tcp_handshake.pcapng")
        XCTAssertEqual(handshake.state, .s1)
        XCTAssertEqual(handshake.history.text, "ShA")
        XCTAssertEqual(handshake.originator.port, 2826)

        let refused = try onlyTCPFlow("pcap/mixed/cs_tcp_refuseconnection.pcapng")
        XCTAssertEqual(refused.state, .rej)
        XCTAssertEqual(refused.history.text, "Sr")

        let teardown = try onlyTCPFlow("pcap/mixed/cs_tcp_teardown.pcapng")
        XCTAssertEqual(teardown.state, .sf, "both sides sent FIN")

        // DNS over TCP: a full connection, data both ways, FIN both ways.
        let (_, dns) = try flows(of: try TestData.path("pcap/mixed/cs_dns_tcp.pcapng"))
        let complete = dns.map(\.0).filter { $0.transport == .tcp }
        XCTAssertEqual(complete.first?.state, .sf)
        XCTAssertEqual(complete.first?.history.text.hasPrefix("ShAD"), true, complete.first?.history.text ?? "")
    }

    /// nmap's SYN scan of a mostly filtered host: 1993 probes (two source ports), 5 closed ports
    /// answering RST (REJ), a few open ones answering SYN-ACK that nobody acknowledges
    /// (history "Sh": OTH under Zeek's rule), the rest unanswered (S0).
    func testSYNScanStates() throws {
        let (_, ended) = try flows(of: try TestData.path("pcap/attack/cs_nmap_synscan.pcapng"))
        let tcp = ended.map(\.0).filter { $0.transport == .tcp }
        var byState: [ConnectionState: Int] = [:]
        for flow in tcp { byState[flow.state, default: 0] += 1 }
        XCTAssertEqual(byState[.rej], 5, "\(byState)")
        let open = tcp.filter { $0.history.text == "Sh" }
        XCTAssertFalse(open.isEmpty)
        XCTAssertTrue(open.allSatisfy { $0.state == .oth })
        XCTAssertEqual(byState[.s0], tcp.count - 5 - (byState[.oth] ?? 0), "\(byState)")
        XCTAssertGreaterThan(byState[.s0] ?? 0, 1900)
        XCTAssertTrue(tcp.allSatisfy { $0.originator.address.description == "172.16.0.8" }, "the scanner originates every flow")
    }

    /// Tables that sum by state key by `ordinal`: one byte per case, distinct, in case order.
    func testStateOrdinalIsTheCaseIndex() {
        XCTAssertEqual(MemoryLayout<ConnectionState>.size, 1)
        for (i, state) in ConnectionState.allCases.enumerated() { XCTAssertEqual(Int(state.ordinal), i, "\(state)") }
    }

    func testMidstreamIsOTH() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Drop the handshake of a real capture: what remains starts midstream.
        let input = try TestData.path("pcap/mixed/zeek_wikipedia.pcap")
        let cut = dir.appendingPathComponent("mid.pcap").path
        _ = try runTool("tcpdump", ["-r", input, "-w", cut, "tcp[tcpflags] & tcp-syn == 0 and tcp[tcpflags] & tcp-fin == 0"])
        let (_, ended) = try flows(of: cut)
        XCTAssertFalse(ended.isEmpty)
        for (flow, _) in ended { XCTAssertEqual(flow.state, .oth, flow.history.text) }
    }
}

/// Per conversation, packets and bytes in each direction equal tshark's `-z conv,tcp` and `-z conv,udp`.
final class ConversationTests: XCTestCase {
    struct Conversation: Hashable {
        var a: String
        var b: String
    }

    /// Sizes as tshark prints them: "644 bytes", "33 kB", "1310 kB", "2 MB".
    func bytes(_ number: Substring, _ unit: Substring) -> (value: Int, tolerance: Int) {
        let n = Int(number) ?? -1
        switch unit {
        case "kB": return (n * 1000, 1000)
        case "MB": return (n * 1_000_000, 1_000_000)
        case "GB": return (n * 1_000_000_000, 1_000_000_000)
        default: return (n, 0)
        }
    }

    /// Tunnels: tshark counts the conversations inside L2TP, which netwatch does not enter.
    static let tunnelled: Set<String> = ["dpkt_nb6-http.pcap"]

    func testConversationsMatchTshark() throws {
        var checked = 0
        // Tunnels (pcap/tunnel/): tshark counts each UDP and TCP layer, the tunnel's own (VXLAN,
        // Geneve, GTP-U, Teredo) and the inner ones, as netwatch's flows do.
        for path in try TestData.allCaptures() where !path.contains("/malformed/") && !Self.tunnelled.contains(URL(fileURLWithPath: path).lastPathComponent) {
            let (output, status) = try runTool("tshark", ["-n", "-q", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-z", "conv,tcp", "-z", "conv,udp"])
            guard status == 0 else { continue }
            // (A, B) → frames and bytes A→B and B→A, summed over tshark's streams of one tuple.
            var expected: [Conversation: (ab: Int, abBytes: (Int, Int), ba: Int, baBytes: (Int, Int))] = [:]
            var proto = ""
            for line in output.split(separator: "\n") {
                if line.hasPrefix("TCP Conversations") { proto = "tcp" }
                if line.hasPrefix("UDP Conversations") { proto = "udp" }
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count >= 9, f[1] == "<->" else { continue }
                let key = Conversation(a: proto + " " + f[0], b: String(f[2]))
                let ba = (Int(f[3]) ?? -1, bytes(f[4], f[5]))
                let ab = (Int(f[6]) ?? -1, bytes(f[7], f[8]))
                var e = expected[key] ?? (0, (0, 0), 0, (0, 0))
                e.ab += ab.0; e.abBytes.0 += ab.1.value; e.abBytes.1 += ab.1.tolerance
                e.ba += ba.0; e.baBytes.0 += ba.1.value; e.baBytes.1 += ba.1.tolerance
                expected[key] = e
            }
            let (_, ended) = try flows(of: path)
            var ours: [Conversation: (ab: Int, abBytes: Int, ba: Int, baBytes: Int)] = [:]
            for (flow, _) in ended where flow.transport == .tcp || flow.transport == .udp {
                let proto = flow.transport == .tcp ? "tcp" : "udp"
                let o = endpoint(flow.originator), r = endpoint(flow.responder)
                let forward = Conversation(a: proto + " " + o, b: r), backward = Conversation(a: proto + " " + r, b: o)
                let key = expected[forward] != nil ? forward : expected[backward] != nil ? backward : forward
                let originatorIsA = key == forward
                var x = ours[key] ?? (0, 0, 0, 0)
                x.ab += Int(originatorIsA ? flow.originatorPackets : flow.responderPackets)
                x.abBytes += Int(originatorIsA ? flow.originatorWireBytes : flow.responderWireBytes)
                x.ba += Int(originatorIsA ? flow.responderPackets : flow.originatorPackets)
                x.baBytes += Int(originatorIsA ? flow.responderWireBytes : flow.originatorWireBytes)
                ours[key] = x
            }
            let name = URL(fileURLWithPath: path).lastPathComponent
            XCTAssertEqual(Set(ours.keys), Set(expected.keys), "\(name): conversations differ: only netwatch \(Set(ours.keys).subtracting(expected.keys).prefix(3)), only tshark \(Set(expected.keys).subtracting(ours.keys).prefix(3))")
            for (key, e) in expected {
                guard let o = ours[key] else { continue }
                XCTAssertEqual(o.ab, e.ab, "\(name) \(key) frames A→B")
                XCTAssertEqual(o.ba, e.ba, "\(name) \(key) frames B→A")
                XCTAssertLessThanOrEqual(abs(o.abBytes - e.abBytes.0), e.abBytes.1, "\(name) \(key) bytes A→B")
                XCTAssertLessThanOrEqual(abs(o.baBytes - e.baBytes.0), e.baBytes.1, "\(name) \(key) bytes B→A")
            }
            checked += expected.count
        }
        XCTAssertGreaterThan(checked, 500)
        print("tshark conversations: \(checked) compared")
    }

    func endpoint(_ e: (address: IPAddress, port: UInt16)) -> String {
        e.address.isIPv6 ? "\(e.address):\(e.port)" : "\(e.address):\(e.port)"
    }
}

final class FlowTableBoundTests: XCTestCase {
    /// 37,841 spoofed SYNs into a table of 1,000: it never holds more, and the rest is evicted.
    func testFloodStaysInsideTheBound() throws {
        let (table, ended) = try flows(of: try TestData.path("pcap/attack/stopddos_synflood_spoofed.pcap"), capacity: 1024)
        XCTAssertEqual(table.capacity, 1024)
        XCTAssertEqual(table.count, 0)
        XCTAssertGreaterThan(table.evicted, 30_000)
        XCTAssertEqual(Int(table.created), ended.count)
        XCTAssertEqual(ended.filter { $0.1 == .evicted }.count, Int(table.evicted))
    }

    /// A table far too small for the capture (16 flows for 236): every packet still counts
    /// once, on a flow reported once with its own id, and per 5-tuple the totals equal a run
    /// that never evicts. (An evicted flow's record must survive until it is reported.)
    func testEvictedFlowsKeepTheirCounts() throws {
        let path = try TestData.path("pcap/mixed/sgr_mariti_skypeirc.pcap")
        let (small, smallEnded) = try flows(of: path, capacity: 16)
        let (_, wholeEnded) = try flows(of: path)
        XCTAssertGreaterThan(small.evicted, 200)
        XCTAssertEqual(Set(smallEnded.map(\.0.id)).count, smallEnded.count, "an id reported twice")
        func totals(_ ended: [(Flow, FlowEnd)]) -> [String: [UInt64]] {
            var result: [String: [UInt64]] = [:]
            for (f, _) in ended {
                let k = f.key
                let key = "\(k.proto) \(k.lowAddress):\(k.lowPort) \(k.highAddress):\(k.highPort)"
                let lowSent = f.originatorIsLow ? (f.originatorPackets, f.originatorWireBytes) : (f.responderPackets, f.responderWireBytes)
                let highSent = f.originatorIsLow ? (f.responderPackets, f.responderWireBytes) : (f.originatorPackets, f.originatorWireBytes)
                let t = result[key] ?? [0, 0, 0, 0]
                result[key] = [t[0] + lowSent.0, t[1] + lowSent.1, t[2] + highSent.0, t[3] + highSent.1]
            }
            return result
        }
        XCTAssertEqual(totals(smallEnded), totals(wholeEnded))
        XCTAssertEqual(smallEnded.reduce(0) { $0 + $1.0.originatorPackets + $1.0.responderPackets },
                       wholeEnded.reduce(0) { $0 + $1.0.originatorPackets + $1.0.responderPackets })
    }

    /// UDP packets from port `port` to 53 at `seconds` of packet time; returns the source
    /// ports of flows ended on the way.
    private func send(_ table: FlowTable, _ port: UInt16, at seconds: Double) -> [UInt16] {
        let bytes = udpPacket(src: port, dst: 53, [1, 2, 3])
        var p = DecodedPacket()
        var ended: [UInt16] = []
        bytes.withUnsafeBytes { raw in
            PacketDecoder().decode(PacketBytes(raw), linkType: .ethernet, wireLength: bytes.count, into: &p)
        }
        _ = table.update(p, time: Int64(seconds * 1e9), wireLength: bytes.count) { flow, _ in ended.append(flow.originator.port) }
        return ended
    }

    /// A full table evicts the flow seen least recently. (A flow moves up the list at most once
    /// per 2^30 ns of packet time, so "least recently" holds to within 1.07 s.)
    func testEvictsTheFlowSeenLeastRecently() {
        let table = FlowTable(capacity: 4)
        for port: UInt16 in 1000...1003 { XCTAssertEqual(send(table, port, at: 0), []) }
        XCTAssertEqual(send(table, 1000, at: 2), [])
        XCTAssertEqual(send(table, 1004, at: 3), [1001], "1000 was seen at 2 s, 1001 at 0 s")
        XCTAssertEqual(send(table, 1005, at: 3), [1002])
        XCTAssertEqual(send(table, 1006, at: 3), [1003])
        XCTAssertEqual(send(table, 1007, at: 3), [1000])
        XCTAssertEqual(table.evicted, 4)
    }

    /// `forEachOpen` visits every open flow once, also after evictions have handed the
    /// record past the first `capacity` (the first spare) to a new flow, and after expiry has
    /// freed records: the same flows as the list walk of `removeAll`.
    func testForEachOpenVisitsEveryOpenFlow() {
        let table = FlowTable(capacity: 4)
        var seconds = 0.0
        for round in 0..<3 {
            for port in 0..<7 { _ = send(table, UInt16(1000 + round * 10 + port), at: seconds) }
            var visited: [UInt16] = []
            table.forEachOpen { visited.append($0.pointee.originator.port) }
            XCTAssertEqual(visited.count, table.count, "round \(round)")
            XCTAssertEqual(Set(visited), Set((3..<7).map { UInt16(1000 + round * 10 + $0) }), "round \(round): the four newest")
            // Every flow expires (UDP, one packet each): records go to the free list.
            seconds += 100
            table.expire(now: Int64(seconds * 1e9)) { _, _ in }
            XCTAssertEqual(table.count, 0)
            var left = 0
            table.forEachOpen { _ in left += 1 }
            XCTAssertEqual(left, 0, "round \(round): none open after expiry")
        }
        XCTAssertEqual(table.evicted, 9)
    }

    /// After `reset` (its index back to the first size, on fresh pages) the table is empty and
    /// works as new: more flows than the first index holds, then a full table that evicts.
    func testResetTableIsEmptyAndWorksAsNew() {
        let table = FlowTable(capacity: 40_000)
        for port in 0..<40_000 { _ = send(table, UInt16(port), at: 0) }
        XCTAssertEqual(table.count, 40_000)
        table.reset()
        XCTAssertEqual(table.count, 0)
        var open = 0
        table.forEachOpen { _ in open += 1 }
        XCTAssertEqual(open, 0)
        for port in 0..<40_000 { XCTAssertEqual(send(table, UInt16(port), at: 1), []) }
        XCTAssertEqual(table.count, 40_000, "every flow new again, none found in the old index")
        XCTAssertEqual(send(table, 40_000, at: 2), [0], "full: the oldest is evicted")
        XCTAssertEqual(send(table, 1, at: 2), [], "still found")
    }

    /// Expiry finds every flow past its timeout even when the list order lags last-seen times:
    /// 2000 is seen again at 1.0 s without moving past 2001 (seen at 0.9 s), so at 30.95 s the
    /// walk must not stop at 2000 (29.95 s idle) before reaching 2001 (30.05 s idle).
    func testExpiryLooksPastFlowsThatDidNotMove() {
        let table = FlowTable(capacity: 64)
        _ = send(table, 2000, at: 0)
        _ = send(table, 2001, at: 0.9)
        _ = send(table, 2000, at: 1.0)
        var expired: [UInt16] = []
        table.expire(now: 30_950_000_000) { flow, reason in
            XCTAssertEqual(reason, .timeout)
            expired.append(flow.originator.port)
        }
        XCTAssertEqual(expired, [2001])
        XCTAssertEqual(table.count, 1)
    }

    /// A closed TCP connection (FIN or RST) ends 5 s after its last packet, as Zeek's
    /// tcp_close_delay: over every shared capture, none closed earlier than that is left for
    /// the shutdown, and none ends by timeout sooner.
    func testClosedConnectionsEndFiveSecondsAfterTheirLastPacket() throws {
        var closedByTimeout = 0
        for capture in try TestData.allCaptures() {
            guard let (_, ended) = try? flows(of: capture) else { continue }
            let end = ended.map { $0.0.last }.max() ?? 0
            for (f, how) in ended where f.transport == .tcp && ([.closed, .reset].contains(f.originatorState) || [.closed, .reset].contains(f.responderState)) {
                switch how {
                case .timeout:
                    closedByTimeout += 1
                case .shutdown:
                    // Sweeps run once a second of packet time, and only when packets come.
                    XCTAssertLessThan(end - f.last, 8_000_000_000, "\(capture): a flow closed \(Double(end - f.last) / 1e9) s before the end was still open")
                default:
                    break
                }
            }
        }
        XCTAssertGreaterThan(closedByTimeout, 0)
    }

    func testTimeoutsFollowPacketTime() throws {
        var timeouts = FlowTimeouts()
        timeouts.udpNew = 1
        timeouts.udpEstablished = 1
        let (table, ended) = try flows(of: try TestData.path("pcap/mixed/suricata_output-eve-ftp-data.pcap"), timeouts: timeouts)
        XCTAssertGreaterThan(table.expired, 0)
        XCTAssertEqual(ended.filter { $0.1 == .timeout }.count, Int(table.expired))
    }
}
