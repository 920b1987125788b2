import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchHost

/// One result row, from the SQLite store or the central PostgreSQL: the records are read
/// out of either one way, by the columns' names (the same in both).
public protocol HistoryRow {
    func text(_ column: String) -> String?
    /// Integers and booleans (1 and 0).
    func int(_ column: String) -> Int64?
    func double(_ column: String) -> Double?
}

/// The records of the history's tables, read from a row of either database.
public enum HistoryRecords {
    public static func flow(_ row: some HistoryRow) -> FlowRecord {
        func n(_ c: String) -> Int64 { row.int(c) ?? 0 }
        var r = FlowRecord(
            uid: row.text("uid") ?? "", communityID: row.text("community_id") ?? "", start: HistoryTime.nanoseconds(row.double("ts") ?? 0),
            duration: HistoryTime.nanoseconds(row.double("duration") ?? 0),
            originatorAddress: IPAddress(row.text("orig_h") ?? "") ?? IPAddress(ipv4: 0), originatorPort: UInt16(truncatingIfNeeded: n("orig_p")),
            responderAddress: IPAddress(row.text("resp_h") ?? "") ?? IPAddress(ipv4: 0), responderPort: UInt16(truncatingIfNeeded: n("resp_p")),
            proto: row.text("proto") ?? "", ipProtocol: UInt8(truncatingIfNeeded: n("ip_proto")),
            connState: row.text("conn_state") ?? "", history: row.text("history") ?? "")
        r.service = row.text("service")
        r.originatorBytes = UInt64(bitPattern: n("orig_bytes"))
        r.responderBytes = UInt64(bitPattern: n("resp_bytes"))
        r.originatorPackets = UInt64(bitPattern: n("orig_pkts"))
        r.originatorIPBytes = UInt64(bitPattern: n("orig_ip_bytes"))
        r.responderPackets = UInt64(bitPattern: n("resp_pkts"))
        r.responderIPBytes = UInt64(bitPattern: n("resp_ip_bytes"))
        r.vlan = row.int("vlan").map { UInt16(truncatingIfNeeded: $0) }
        r.encapsulation = row.text("encapsulation")
        r.tunnelParents = row.text("tunnel_parents").map { $0.split(separator: ",").map(String.init) } ?? []
        r.icmpErrors = UInt32(truncatingIfNeeded: n("icmp_errors"))
        r.lastICMPError = UInt16(truncatingIfNeeded: n("icmp_last_error"))
        r.endReason = row.text("end_reason")
        r.processesKnown = n("processes_known") != 0
        r.pid = row.int("pid").map { Int32(truncatingIfNeeded: $0) }
        r.process = row.text("process")
        r.interface = row.text("interface")
        r.originatorCountry = row.text("orig_cc")
        r.responderCountry = row.text("resp_cc")
        r.originatorASN = row.int("orig_asn").map { UInt32(truncatingIfNeeded: $0) }
        r.responderASN = row.int("resp_asn").map { UInt32(truncatingIfNeeded: $0) }
        r.sensor = row.text("sensor")
        return r
    }

    /// An alert, its row id and its details' JSON members (without the braces).
    public static func alert(_ row: some HistoryRow) -> (id: Int64, alert: Alert, details: String) {
        func port(_ c: String) -> UInt16? { row.int(c).map { UInt16(truncatingIfNeeded: $0) } }
        var a = Alert(time: row.double("ts") ?? 0, signature: Alert.Signature(rawValue: row.text("signature") ?? ""), category: row.text("category") ?? "",
                      severity: Int(row.int("severity") ?? 3), reason: row.text("reason") ?? "")
        a.event = Alert.Event(rawValue: row.text("event_type") ?? "") ?? .alert
        a.sourceAddress = row.text("src_ip").flatMap { IPAddress($0) }
        a.sourcePort = port("src_port")
        a.destinationAddress = row.text("dest_ip").flatMap { IPAddress($0) }
        a.destinationPort = port("dest_port")
        a.transport = row.text("proto")
        a.communityID = row.text("community_id")
        a.pid = row.int("pid").map { Int32(truncatingIfNeeded: $0) }
        a.process = row.text("process")
        a.localAddress = row.text("local_ip").flatMap { IPAddress($0) }
        a.localPort = port("local_port")
        a.remoteAddress = row.text("remote_ip").flatMap { IPAddress($0) }
        a.remotePort = port("remote_port")
        a.connections = row.int("connections").map { Int($0) }
        a.sensor = row.text("sensor")
        let details = row.text("details") ?? "{}"
        return (row.int("id") ?? 0, a, String(details.dropFirst().dropLast()))
    }

    public static func socketEvent(_ row: some HistoryRow) -> SocketEventRecord {
        let transport = Socket.Transport(rawValue: row.text("proto") ?? "") ?? .tcp
        let stateName = row.text("state") ?? ""
        let state = SocketState.allCases.first { $0.name(for: transport) == stateName } ?? .close
        let owner = row.int("pid").map {
            ProcessOwner(pid: Int32(truncatingIfNeeded: $0), name: row.text("process") ?? "", commandLine: row.text("cmdline") ?? "")
        }
        let socket = Socket(transport: transport, ipv6Table: row.text("family") == "ipv6",
                            localAddress: IPAddress(row.text("local_ip") ?? "") ?? .none, localPort: UInt16(truncatingIfNeeded: row.int("local_port") ?? 0),
                            remoteAddress: IPAddress(row.text("remote_ip") ?? "") ?? .none, remotePort: UInt16(truncatingIfNeeded: row.int("remote_port") ?? 0),
                            state: state, inode: UInt64(bitPattern: row.int("inode") ?? 0), uid: UInt32(truncatingIfNeeded: row.int("uid") ?? 0),
                            owner: owner)
        return SocketEventRecord(time: row.double("ts") ?? 0, opened: row.text("event") == "opened", socket: socket)
    }

    public static func run(_ row: some HistoryRow) -> RunRecord {
        func n(_ c: String) -> UInt64 { UInt64(bitPattern: row.int(c) ?? 0) }
        var info = RunInfo(started: row.double("started") ?? 0, command: row.text("command") ?? "", interfaces: row.text("interfaces"), file: row.text("file"),
                           filter: row.text("filter"), host: row.text("host") ?? "", version: row.text("version") ?? "")
        info.ended = row.double("ended")
        info.packets = n("packets")
        info.bytes = n("bytes")
        info.dropped = n("dropped")
        info.flows = n("flows")
        info.alerts = n("alerts")
        return RunRecord(id: row.int("id") ?? 0, info: info, recordsDropped: n("records_dropped"), firstData: row.double("first_ts"),
                         lastData: row.double("last_ts"), sensor: row.text("sensor"))
    }

    /// A top list's line; `key` may be text or a number (ports, ASNs).
    public static func topEntry(_ row: some HistoryRow, directions: Bool) -> TopEntry {
        let key = row.text("key") ?? row.int("key").map { String($0) } ?? "?"
        func n(_ c: String) -> UInt64 { UInt64(bitPattern: row.int(c) ?? 0) }
        var e = TopEntry(key: key, packets: n("packets"), bytes: n("bytes"), flows: n("flows"))
        if directions {
            e.sent = n("sent")
            e.received = n("received")
        }
        return e
    }

    public static func bucket(_ row: some HistoryRow) -> TrafficBucket {
        func n(_ c: String) -> UInt64 { UInt64(bitPattern: row.int(c) ?? 0) }
        return TrafficBucket(start: row.int("t") ?? 0, packets: n("packets"), bytes: n("bytes"), tcp: n("tcp"), udp: n("udp"),
                             icmp: n("icmp"), other: n("other"), dropped: n("dropped"), tcpBytes: n("tcp_bytes"), udpBytes: n("udp_bytes"),
                             icmpBytes: n("icmp_bytes"))
    }
}
