import GRDB
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents

/// A run as the `run` table keeps it.
public struct RunRecord: Sendable {
    public var id: Int64
    public var info: RunInfo
    public var recordsDropped: UInt64
}

/// One bucket of a traffic series.
public struct TrafficBucket: Sendable, Equatable {
    public var start: Int64
    public var packets: UInt64, bytes: UInt64, tcp: UInt64, udp: UInt64, icmp: UInt64, other: UInt64, dropped: UInt64
}

/// One line of a top list: a key (host, port, conversation, process) and its totals.
public struct TopEntry: Sendable, Equatable {
    public var key: String
    public var packets: UInt64
    public var bytes: UInt64
    public var flows: UInt64
}

/// What `history top` ranks.
public enum TopKind: String, Sendable, CaseIterable {
    case hosts, ports, conversations, processes
}

extension HistoryStore {
    func run<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw HistoryStore.explain(error, path: path, writing: false, existed: true)
        }
    }

    public func runs() throws(HistoryError) -> [RunRecord] {
        try run { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id").map { row in
                var info = RunInfo(started: row["started"], command: row["command"], interfaces: row["interfaces"], file: row["file"],
                                   filter: row["filter"], host: row["host"], version: row["version"])
                info.ended = row["ended"]
                info.packets = UInt64(bitPattern: row["packets"] ?? 0)
                info.bytes = UInt64(bitPattern: row["bytes"] ?? 0)
                info.dropped = UInt64(bitPattern: row["dropped"] ?? 0)
                info.flows = UInt64(bitPattern: row["flows"] ?? 0)
                info.alerts = UInt64(bitPattern: row["alerts"] ?? 0)
                return RunRecord(id: row["id"], info: info, recordsDropped: UInt64(bitPattern: row["records_dropped"] ?? 0))
            }
        }
    }

    /// Conn records in start order, as the live JSON writer wrote them.
    public func flows(_ q: FlowQuery) throws(HistoryError) -> [FlowRecord] {
        let (whereClause, args) = q.clause()
        let limit = q.limit.map { " LIMIT \($0)" } ?? ""
        return try run { db in
            try Row.fetchAll(db, sql: "SELECT * FROM conn \(whereClause) ORDER BY ts, id\(limit)", arguments: Self.arguments(args)).map(Self.flowRecord)
        }
    }

    static func flowRecord(_ row: Row) -> FlowRecord {
        var r = FlowRecord(
            uid: row["uid"], communityID: row["community_id"] ?? "", start: HistoryTime.nanoseconds(row["ts"]),
            duration: HistoryTime.nanoseconds(row["duration"]),
            originatorAddress: IPAddress(row["orig_h"] as String) ?? IPAddress(ipv4: 0), originatorPort: UInt16(truncatingIfNeeded: row["orig_p"] as Int),
            responderAddress: IPAddress(row["resp_h"] as String) ?? IPAddress(ipv4: 0), responderPort: UInt16(truncatingIfNeeded: row["resp_p"] as Int),
            proto: row["proto"], ipProtocol: UInt8(truncatingIfNeeded: row["ip_proto"] as Int),
            connState: row["conn_state"] ?? "", history: row["history"] ?? "")
        r.service = row["service"]
        r.originatorBytes = UInt64(bitPattern: row["orig_bytes"] ?? 0)
        r.responderBytes = UInt64(bitPattern: row["resp_bytes"] ?? 0)
        r.originatorPackets = UInt64(bitPattern: row["orig_pkts"] ?? 0)
        r.originatorIPBytes = UInt64(bitPattern: row["orig_ip_bytes"] ?? 0)
        r.responderPackets = UInt64(bitPattern: row["resp_pkts"] ?? 0)
        r.responderIPBytes = UInt64(bitPattern: row["resp_ip_bytes"] ?? 0)
        r.vlan = (row["vlan"] as Int?).map { UInt16(truncatingIfNeeded: $0) }
        r.encapsulation = row["encapsulation"]
        r.tunnelParents = (row["tunnel_parents"] as String?).map { $0.split(separator: ",").map(String.init) } ?? []
        r.icmpErrors = UInt32(truncatingIfNeeded: row["icmp_errors"] ?? 0)
        r.lastICMPError = UInt16(truncatingIfNeeded: row["icmp_last_error"] ?? 0)
        r.endReason = row["end_reason"]
        r.processesKnown = row["processes_known"] ?? false
        r.pid = (row["pid"] as Int?).map { Int32(truncatingIfNeeded: $0) }
        r.process = row["process"]
        r.interface = row["interface"]
        return r
    }

    /// Alerts, summaries and clearings in the order they were raised (a summary comes when its incident closes), each with its details' JSON members.
    public func alerts(since: Double? = nil, until: Double? = nil, signature: String? = nil, source: String? = nil,
                       destination: String? = nil, limit: Int? = nil) throws(HistoryError) -> [(alert: Alert, details: String)] {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts >= ?"); args.append(since) }
        if let until { terms.append("ts < ?"); args.append(until) }
        if let signature { terms.append("signature = ?"); args.append(signature) }
        if let source { terms.append("(src_ip = ? OR local_ip = ?)"); args.append(source); args.append(source) }
        if let destination { terms.append("(dest_ip = ? OR remote_ip = ?)"); args.append(destination); args.append(destination) }
        let whereClause = terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
        let limitClause = limit.map { " LIMIT \($0)" } ?? ""
        return try run { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert \(whereClause) ORDER BY id\(limitClause)", arguments: Self.arguments(args)).map { row in
                var a = Alert(time: row["ts"], signature: Alert.Signature(rawValue: row["signature"]), category: row["category"],
                              severity: row["severity"], reason: row["reason"])
                a.event = Alert.Event(rawValue: row["event_type"]) ?? .alert
                a.sourceAddress = (row["src_ip"] as String?).flatMap { IPAddress($0) }
                a.sourcePort = (row["src_port"] as Int?).map { UInt16(truncatingIfNeeded: $0) }
                a.destinationAddress = (row["dest_ip"] as String?).flatMap { IPAddress($0) }
                a.destinationPort = (row["dest_port"] as Int?).map { UInt16(truncatingIfNeeded: $0) }
                a.transport = row["proto"]
                a.communityID = row["community_id"]
                a.pid = (row["pid"] as Int?).map { Int32(truncatingIfNeeded: $0) }
                a.process = row["process"]
                a.localAddress = (row["local_ip"] as String?).flatMap { IPAddress($0) }
                a.localPort = (row["local_port"] as Int?).map { UInt16(truncatingIfNeeded: $0) }
                a.remoteAddress = (row["remote_ip"] as String?).flatMap { IPAddress($0) }
                a.remotePort = (row["remote_port"] as Int?).map { UInt16(truncatingIfNeeded: $0) }
                a.connections = row["connections"]
                let details: String = row["details"] ?? "{}"
                return (a, String(details.dropFirst().dropLast()))
            }
        }
    }

    /// Packets and bytes per `resolution` seconds (1, 60 or 3600), buckets that saw traffic.
    public func series(resolution: Int, since: Double? = nil, until: Double? = nil) throws(HistoryError) -> [TrafficBucket] {
        var sql = "SELECT * FROM traffic WHERE resolution = ?"
        var args: [any Sendable & Equatable] = [resolution]
        if let since { sql += " AND t >= ?"; args.append(HistoryTime.floor(Int64(since.rounded(.down)), Int64(resolution))) }
        if let until { sql += " AND t < ?"; args.append(until) }
        return try run { db in
            try Row.fetchAll(db, sql: sql + " ORDER BY t", arguments: Self.arguments(args)).map { row in
                func n(_ c: String) -> UInt64 { UInt64(bitPattern: row[c] ?? 0) }
                return TrafficBucket(start: row["t"], packets: n("packets"), bytes: n("bytes"), tcp: n("tcp"), udp: n("udp"),
                                     icmp: n("icmp"), other: n("other"), dropped: n("dropped"))
            }
        }
    }

    /// The top `n` hosts, ports, conversations or processes by bytes (or packets) among the
    /// conn records that started in the range.
    public func top(_ kind: TopKind, byPackets: Bool = false, since: Double? = nil, until: Double? = nil, n: Int = 10) throws(HistoryError) -> [TopEntry] {
        var q = FlowQuery()
        q.since = since
        q.until = until
        let (whereClause, args) = q.clause()
        let packets = "orig_pkts + resp_pkts"
        let bytes = "orig_ip_bytes + resp_ip_bytes"
        let order = byPackets ? "packets" : "bytes"
        let sql: String
        switch kind {
        case .hosts:
            // A host's traffic: what it sent and what it received, over both ends of its flows.
            sql = """
                SELECT h AS key, sum(p) AS packets, sum(b) AS bytes, count(*) AS flows FROM (
                  SELECT orig_h AS h, \(packets) AS p, \(bytes) AS b FROM conn \(whereClause)
                  UNION ALL SELECT resp_h, \(packets), \(bytes) FROM conn \(whereClause))
                GROUP BY h ORDER BY \(order) DESC, key LIMIT \(n)
                """
            return try fetchTop(sql, args + args)
        case .ports:
            sql = "SELECT resp_p || '/' || proto AS key, sum(\(packets)) AS packets, sum(\(bytes)) AS bytes, count(*) AS flows FROM conn \(whereClause) GROUP BY resp_p, proto ORDER BY \(order) DESC, key LIMIT \(n)"
        case .conversations:
            sql = "SELECT orig_h || ' <-> ' || resp_h AS key, sum(\(packets)) AS packets, sum(\(bytes)) AS bytes, count(*) AS flows FROM conn \(whereClause) GROUP BY orig_h, resp_h ORDER BY \(order) DESC, key LIMIT \(n)"
        case .processes:
            let w = whereClause.isEmpty ? "WHERE process IS NOT NULL" : whereClause + " AND process IS NOT NULL"
            sql = "SELECT process AS key, sum(\(packets)) AS packets, sum(\(bytes)) AS bytes, count(*) AS flows FROM conn \(w) GROUP BY process ORDER BY \(order) DESC, key LIMIT \(n)"
        }
        return try fetchTop(sql, args)
    }

    private func fetchTop(_ sql: String, _ args: [any Sendable & Equatable]) throws(HistoryError) -> [TopEntry] {
        try run { db in
            try Row.fetchAll(db, sql: sql, arguments: Self.arguments(args)).map { row in
                TopEntry(key: row["key"] ?? "?", packets: UInt64(bitPattern: row["packets"] ?? 0), bytes: UInt64(bitPattern: row["bytes"] ?? 0),
                         flows: UInt64(bitPattern: row["flows"] ?? 0))
            }
        }
    }

    static func arguments(_ values: [any Sendable & Equatable]) -> StatementArguments {
        StatementArguments(values.map { v -> (any DatabaseValueConvertible)? in
            switch v {
            case let d as Double: return d
            case let i as Int: return i
            case let i as Int64: return i
            case let s as String: return s
            default: return nil
            }
        })
    }
}
