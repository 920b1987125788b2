import Foundation
import GRDB
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchHost

/// A run as the `run` table keeps it.
public struct RunRecord: Sendable {
    public var id: Int64
    public var info: RunInfo
    public var recordsDropped: UInt64
    /// The span of its traffic in packet time (nil before schema v3, or before its first second).
    public var firstData: Double?
    public var lastData: Double?
    /// The sensor that recorded it (the central database; nil in a SQLite file).
    public var sensor: String? = nil
}

/// One bucket of a traffic series.
public struct TrafficBucket: Sendable, Equatable {
    public var start: Int64
    public var packets: UInt64, bytes: UInt64, tcp: UInt64, udp: UInt64, icmp: UInt64, other: UInt64, dropped: UInt64
    /// Bytes by transport (schema v3; zero before, and per interface).
    public var tcpBytes: UInt64 = 0, udpBytes: UInt64 = 0, icmpBytes: UInt64 = 0
}

/// One line of a top list: a key (host, port, conversation, process) and its totals.
public struct TopEntry: Sendable, Equatable {
    public var key: String
    public var packets: UInt64
    public var bytes: UInt64
    public var flows: UInt64
    /// Hosts only: IP bytes the host sent and received (nil in a file older than schema v3).
    public var sent: UInt64? = nil
    public var received: UInt64? = nil
}

/// What `history top` ranks.
public enum TopKind: String, Sendable, CaseIterable {
    case hosts, ports, conversations, processes, countries, services, states, networks

    /// The schema that first kept this kind's per-minute table.
    var since: Int { self == .services || self == .states || self == .networks ? 3 : 2 }
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
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id")
            guard let first = rows.first else { return [] }
            let columns = ColumnIndex(first)
            return rows.map { HistoryRecords.run(SQLiteRow(row: $0, columns: columns)) }
        }
    }

    /// Conn records in start order, as the live JSON writer wrote them. A host is looked up in
    /// `conn_host` (and among the rows not indexed yet); a time range reads only the chunks of
    /// conn ids whose records started in it.
    public func flows(_ q: FlowQuery) throws(HistoryError) -> [FlowRecord] {
        let (whereClause, args) = q.clause()
        let order = q.order
        var chunkTerms: [String] = []
        var chunkArgs: [any Sendable & Equatable] = []
        if let since = q.since { chunkTerms.append("last_ts >= ?"); chunkArgs.append(since) }
        if let until = q.until { chunkTerms.append("first_ts < ?"); chunkArgs.append(until) }
        let chunks = "SELECT chunk FROM conn_chunk" + (chunkTerms.isEmpty ? "" : " WHERE " + chunkTerms.joined(separator: " AND "))
        let shift = HistorySchema.chunkShift
        return try run { db in
            let rows: [Row]
            if version < 2 {
                // A v1 file, read as it is: its own indexes serve the scan.
                rows = try Row.fetchAll(db, sql: "SELECT * FROM conn \(whereClause)\(order)", arguments: Self.arguments(args))
            } else if let host = q.host {
                guard let address = IPAddress(host) else { return [] }
                var ids: [Int64] = []
                let key = ConnHostIndex.Key(address).bytes
                let indexed = try Row.fetchCursor(db, sql: "SELECT chunk, ids FROM conn_host WHERE chunk IN (\(chunks)) AND h = ?",
                                                  arguments: Self.arguments(chunkArgs) + [Data(key)])
                while let row = try indexed.next() {
                    ConnHostIndex.ids(chunk: row[0], [UInt8]((row[1] as Data?) ?? Data()), into: &ids)
                }
                ids += try Int64.fetchAll(db, sql: """
                    SELECT id FROM conn WHERE id > (SELECT through FROM conn_indexed) AND (orig_h = ? OR resp_h = ?)
                    """, arguments: [host, host])
                let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
                let terms = whereClause.isEmpty ? "WHERE" : whereClause + " AND"
                rows = try Row.fetchAll(db, sql: "SELECT * FROM conn \(terms) id IN (SELECT value FROM json_each(?))\(order)",
                                        arguments: Self.arguments(args) + [list])
            } else if !chunkTerms.isEmpty {
                let range = try Row.fetchOne(db, sql: "SELECT min(chunk), max(chunk) FROM (\(chunks))", arguments: Self.arguments(chunkArgs))
                guard let first = range?[0] as Int64?, let last = range?[1] as Int64? else { return [] }
                let terms = whereClause + " AND id BETWEEN \(first << shift) AND \(((last + 1) << shift) - 1)"
                rows = try Row.fetchAll(db, sql: "SELECT * FROM conn \(terms)\(order)", arguments: Self.arguments(args))
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM conn \(whereClause)\(order)", arguments: Self.arguments(args))
            }
            guard let first = rows.first else { return [] }
            let columns = ColumnIndex(first)
            return rows.map { Self.flowRecord($0, columns) }
        }
    }

    static func flowRecord(_ row: Row, _ c: ColumnIndex) -> FlowRecord {
        HistoryRecords.flow(SQLiteRow(row: row, columns: c))
    }

    /// A result's column positions by name, found once: GRDB's lookup by name compares
    /// lower-cased names column by column, a third of the API's time when done per field.
    struct ColumnIndex {
        let positions: [String: Int]
        init(_ row: Row) {
            positions = Dictionary(row.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        }
        func value(_ row: Row, _ name: String) -> DatabaseValue? {
            positions[name].map { row[$0] as DatabaseValue }
        }
        /// A column every conn table has had since v1.
        func required<T: DatabaseValueConvertible>(_ row: Row, _ name: String) -> T { row[positions[name]!] }
        /// A column a file of an older schema may lack: nil there.
        func optional<T: DatabaseValueConvertible>(_ row: Row, _ name: String) -> T? {
            guard let i = positions[name] else { return nil }
            return row[i]
        }
    }

    /// Alerts with their row ids, in the order they were raised (a summary comes when its
    /// incident closes), or newest first.
    public func alertRows(_ q: AlertQuery) throws(HistoryError) -> [(id: Int64, alert: Alert, details: String)] {
        let (terms, args) = q.terms()
        let whereClause = terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
        return try run { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM alert \(whereClause) ORDER BY id\(q.newestFirst ? " DESC" : "")\(q.sqlitePage)", arguments: Self.arguments(args))
            guard let first = rows.first else { return [] }
            let columns = ColumnIndex(first)
            return rows.map { HistoryRecords.alert(SQLiteRow(row: $0, columns: columns)) }
        }
    }

    /// Packets and bytes per `resolution` seconds (1, 60 or 3600), buckets that saw traffic.
    /// `interface`: that capture interface's packets and bytes only (recorded when a run read
    /// several; the protocol columns are then zero).
    public func series(resolution: Int, since: Double? = nil, until: Double? = nil, interface: String? = nil) throws(HistoryError) -> [TrafficBucket] {
        if interface != nil && version < 2 { return [] }
        var sql = interface == nil ? "SELECT * FROM traffic WHERE resolution = ?" : "SELECT * FROM traffic_interface WHERE resolution = ? AND interface = ?"
        var args: [any Sendable & Equatable] = [resolution]
        if let interface { args.append(interface) }
        if let since { sql += " AND t >= ?"; args.append(HistoryTime.floor(Int64(since.rounded(.down)), Int64(resolution))) }
        if let until { sql += " AND t < ?"; args.append(until) }
        return try run { db in
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY t", arguments: Self.arguments(args))
            guard let first = rows.first else { return [] }
            let columns = ColumnIndex(first)
            return rows.map { HistoryRecords.bucket(SQLiteRow(row: $0, columns: columns)) }
        }
    }

    /// The top `n` hosts, ports, conversations or processes by bytes (or packets) over the
    /// range: whole hours from the hourly rows, the minutes at either edge from the minute
    /// rows. The newest hour rolled up is read by the minute, as a live run may still add to it.
    public func top(_ kind: TopKind, byPackets: Bool = false, since: Double? = nil, until: Double? = nil, n: Int = 10, exact: Bool = false) throws(HistoryError) -> [TopEntry] {
        if exact || version < kind.since { return try exactTop(kind, byPackets: byPackets, since: since, until: until, n: n) }
        let (table, key, group) = switch kind {
        case .hosts: ("top_host", "host", "host")
        case .ports: ("top_port", "port || '/' || proto", "port, proto")
        case .conversations: ("top_conversation", "orig_h || ' <-> ' || resp_h", "orig_h, resp_h")
        case .processes: ("top_process", "process", "process")
        case .countries: ("top_country", "country", "country")
        case .services: ("top_service", "service", "service")
        case .states: ("top_state", "conn_state", "conn_state")
        case .networks: ("top_asn", "asn", "asn")
        }
        return try run { db in
            let directions = kind == .hosts && version >= 3
            let (rows, arguments) = try Self.minutesAndHours(db, table, columns: "\(group), packets, bytes, flows\(directions ? ", sent, received" : "")",
                                                             since: since, until: until)
            let sql = """
                SELECT \(key) AS key, sum(packets) AS packets, sum(bytes) AS bytes, sum(flows) AS flows\(directions ? ", sum(sent) AS sent, sum(received) AS received" : "") FROM (
                  \(rows))
                GROUP BY \(group) ORDER BY \(byPackets ? "packets" : "bytes") DESC, key LIMIT \(n)
                """
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.topEntry)
        }
    }

    /// `columns` of a table kept per minute and per hour over [since, until): whole hours from
    /// the hour rows, the minutes at either edge from the minute rows. The newest hour rolled
    /// up is read by the minute, as a live run may still add to it.
    static func minutesAndHours(_ db: Database, _ table: String, columns: String, since: Double?, until: Double?) throws -> (sql: String, arguments: StatementArguments) {
        let far: Int64 = 1 << 40
        let s = since.map { HistoryTime.floor(Int64($0.rounded(.down)), 60) } ?? -far
        let u = until.map { Int64($0.rounded(.up)) } ?? far
        let last = try Int64.fetchOne(db, sql: "SELECT max(t) FROM \(table) WHERE resolution = 3600") ?? -far
        var hs = -HistoryTime.floor(-s, 3600)
        var he = min(HistoryTime.floor(u, 3600), last)
        if he <= hs { (hs, he) = (u, u) }
        let rows = "\(columns) FROM \(table)"
        return ("""
            SELECT \(rows) WHERE resolution = 3600 AND t >= ?3 AND t < ?4
              UNION ALL SELECT \(rows) WHERE resolution = 60 AND t >= ?1 AND t < ?3
              UNION ALL SELECT \(rows) WHERE resolution = 60 AND t >= ?4 AND t < ?2
            """, [s, u, hs, he])
    }

    /// The same list summed from the conn records that ended in the range (a scan of the
    /// chunks of conn ids the range touches).
    func exactTop(_ kind: TopKind, byPackets: Bool, since: Double?, until: Double?, n: Int) throws(HistoryError) -> [TopEntry] {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts + duration >= ?"); args.append(since) }
        if let until { terms.append("ts + duration < ?"); args.append(until) }
        let w = terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
        let p = "orig_pkts + resp_pkts", b = "orig_ip_bytes + resp_ip_bytes"
        let totals = "sum(p) AS packets, sum(b) AS bytes, count(*) AS flows"
        let order = "ORDER BY \(byPackets ? "packets" : "bytes") DESC, key LIMIT \(n)"
        let rows = "\(p) AS p, \(b) AS b FROM conn \(w)"
        let sql = switch kind {
        case .hosts:
            "SELECT h AS key, \(totals), sum(s) AS sent, sum(r) AS received FROM (SELECT orig_h AS h, orig_ip_bytes AS s, resp_ip_bytes AS r, \(rows) UNION ALL SELECT resp_h, resp_ip_bytes, orig_ip_bytes, \(rows)\(w.isEmpty ? " WHERE" : " AND") resp_h != orig_h) GROUP BY h \(order)"
        case .ports: "SELECT resp_p || '/' || proto AS key, \(totals) FROM (SELECT resp_p, proto, \(rows)) GROUP BY resp_p, proto \(order)"
        case .conversations: "SELECT orig_h || ' <-> ' || resp_h AS key, \(totals) FROM (SELECT orig_h, resp_h, \(rows)) GROUP BY orig_h, resp_h \(order)"
        case .processes: "SELECT process AS key, \(totals) FROM (SELECT process, \(rows)\(w.isEmpty ? " WHERE" : " AND") process IS NOT NULL) GROUP BY process \(order)"
        case .countries:
            "SELECT c AS key, \(totals) FROM (SELECT orig_cc AS c, \(rows)\(w.isEmpty ? " WHERE" : " AND") orig_cc IS NOT NULL UNION ALL SELECT resp_cc, \(rows)\(w.isEmpty ? " WHERE" : " AND") resp_cc IS NOT NULL AND resp_cc IS NOT orig_cc) GROUP BY c \(order)"
        case .services: "SELECT coalesce(service, '-') AS key, \(totals) FROM (SELECT service, \(rows)) GROUP BY 1 \(order)"
        case .states: "SELECT coalesce(conn_state, '') AS key, \(totals) FROM (SELECT conn_state, \(rows)) GROUP BY 1 \(order)"
        case .networks:
            "SELECT a AS key, \(totals) FROM (SELECT orig_asn AS a, \(rows)\(w.isEmpty ? " WHERE" : " AND") orig_asn IS NOT NULL UNION ALL SELECT resp_asn, \(rows)\(w.isEmpty ? " WHERE" : " AND") resp_asn IS NOT NULL AND resp_asn IS NOT orig_asn) GROUP BY a \(order)"
        }
        let twice = kind == .hosts || kind == .countries || kind == .networks
        return try run { db in try Row.fetchAll(db, sql: sql, arguments: Self.arguments(twice ? args + args : args)).map(Self.topEntry) }
    }

    static func topEntry(_ row: Row) -> TopEntry {
        let columns = ColumnIndex(row)
        return HistoryRecords.topEntry(SQLiteRow(row: row, columns: columns), directions: columns.positions["sent"] != nil)
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

/// What `history check` found.
public struct HistoryCheck: Sendable {
    /// SQLite's integrity_check lines ("ok" when sound).
    public var integrity: [String]
    public var runs: Int, conn: Int, alerts: Int, seconds: Int
    /// The file's pages in use, in bytes.
    public var bytes: Int64
    public var first: Double?, last: Double?
}

extension HistoryStore {
    /// PRAGMA integrity_check and what the file holds.
    public func check() throws(HistoryError) -> HistoryCheck {
        try run { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
            return HistoryCheck(integrity: integrity, runs: try count("SELECT count(*) FROM run"), conn: try count("SELECT count(*) FROM conn"),
                                alerts: try count("SELECT count(*) FROM alert"), seconds: try count("SELECT count(*) FROM traffic WHERE resolution = 1"),
                                bytes: try HistoryRetention.used(db),
                                first: try Double.fetchOne(db, sql: version < 2 ? "SELECT min(ts) FROM conn" : "SELECT min(first_ts) FROM conn_chunk"),
                                last: try Double.fetchOne(db, sql: version < 2 ? "SELECT max(ts) FROM conn" : "SELECT max(last_ts) FROM conn_chunk"))
        }
    }
}

/// A socket-table change as `socket_event` keeps it.
public struct SocketEventRecord: Sendable {
    public var time: Double
    public var opened: Bool
    public var socket: Socket
}

extension HistoryStore {
    /// Connections that appeared in or left the host's socket table (`sockets --watch`,
    /// `timeline`), oldest first. `host`: either end; `process`: the owner's name.
    public func socketEvents(since: Double? = nil, until: Double? = nil, host: String? = nil, process: String? = nil,
                             limit: Int? = nil) throws(HistoryError) -> [SocketEventRecord] {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts >= ?"); args.append(since) }
        if let until { terms.append("ts < ?"); args.append(until) }
        if let host { terms.append("(local_ip = ? OR remote_ip = ?)"); args.append(host); args.append(host) }
        if let process { terms.append("process = ?"); args.append(process) }
        let w = terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
        let l = limit.map { " LIMIT \($0)" } ?? ""
        if version < 2 { return [] }
        return try run { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM socket_event \(w) ORDER BY ts, id\(l)", arguments: Self.arguments(args))
            guard let first = rows.first else { return [] }
            let columns = ColumnIndex(first)
            return rows.map { HistoryRecords.socketEvent(SQLiteRow(row: $0, columns: columns)) }
        }
    }
}

/// A GRDB row read by column name, as `HistoryRecords` reads rows.
struct SQLiteRow: HistoryRow {
    let row: Row
    let columns: HistoryStore.ColumnIndex

    func text(_ column: String) -> String? {
        if case .string(let s) = columns.value(row, column)?.storage { return s }
        return nil
    }

    func int(_ column: String) -> Int64? {
        switch columns.value(row, column)?.storage {
        case .int64(let i): i
        case .double(let d): Int64(exactly: d.rounded(.down))
        default: nil
        }
    }

    func double(_ column: String) -> Double? {
        switch columns.value(row, column)?.storage {
        case .double(let d): d
        case .int64(let i): Double(i)
        default: nil
        }
    }
}
