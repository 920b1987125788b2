import Foundation
import GRDB
import NetwatchDecode
import NetwatchEvents
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The per-minute top tables (`top_host`, `top_port`, `top_conversation`, `top_process`),
/// gathered by the writer. A conn record counts in the minute it was recorded: the newest
/// end (ts + duration) seen so far, which only moves forward, so each minute is written once,
/// when the next begins (or at the run's end). Only the 100 biggest keys by bytes and the 100
/// by packets of each minute are kept: `history top` sums minutes instead of scanning conn,
/// and a key that is small in every minute of a range can be missing from its top list.
/// When an hour is over its minutes are rolled up (`resolution` 3600, the top 1,000 by bytes
/// and by packets), so that a day's top list sums 24 rows per key, not 1,440.
struct TopAggregator {
    struct Totals {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
        var flows: UInt64 = 0
        /// Hosts only: IP bytes the host sent and received.
        var sent: UInt64 = 0
        var received: UInt64 = 0

        mutating func add(_ packets: UInt64, _ bytes: UInt64) {
            self.packets &+= packets
            self.bytes &+= bytes
            flows &+= 1
        }
    }

    struct Port: SeededHashable {
        var ipProtocol: UInt8
        var port: UInt16
        @inline(__always) func hash(into h: inout SeededHash) { h.add(UInt64(ipProtocol) << 16 | UInt64(port)) }
    }

    struct Conversation: SeededHashable {
        var originator: IPAddress
        var responder: IPAddress
        @inline(__always) func hash(into h: inout SeededHash) { IPAddress.hash(originator, responder, into: &h) }
    }

    static let keep = 100
    static let keepPerHour = 1000
    /// Keys gathered per kind and minute at most; later new keys in a minute that busy are not counted.
    static let maxKeys = 1 << 18

    private(set) var minute: Int64 = .min
    private var newestEnd: Int64 = .min
    // The tables every record updates, on `SumTable` (no SipHash, one lookup each).
    private var hosts = SumTable<IPAddress, Totals>(limit: maxKeys)
    private var ports = SumTable<Port, Totals>(limit: maxKeys)
    private var conversations = SumTable<Conversation, Totals>(limit: maxKeys)
    private var networks = SumTable<UInt32, Totals>(limit: maxKeys)
    private var processes: [String: Totals] = [:]
    private var countries: [String: Totals] = [:]
    private var services: [String: Totals] = [:]
    private var states: [String: Totals] = [:]
    private var protoNames: [UInt8: String] = [:]
    /// Every address of the minute, for `host_sketch` (not only the top ones).
    private var sketch = HostSketch()
    /// The text of the row being bound.
    private let arena = TextArena()

    /// Counts `r`, writing the minute before when `r` starts a new one.
    mutating func add(_ r: FlowRecord, _ db: Database) throws {
        let end = (r.start &+ r.duration) / 1_000_000_000
        if end > newestEnd { newestEnd = end }
        let m = HistoryTime.floor(newestEnd, 60)
        if m != minute {
            let old = minute
            try write(db)
            if old != .min && HistoryTime.floor(old, 3600) != HistoryTime.floor(m, 3600) {
                try Self.rollUp(db, hoursFrom: HistoryTime.floor(old, 3600), to: HistoryTime.floor(old, 3600) + 3600)
            }
            minute = m
        }
        let packets = r.originatorPackets &+ r.responderPackets
        let bytes = r.originatorIPBytes &+ r.responderIPBytes
        sketch.add(r.originatorAddress)
        sketch.add(r.responderAddress)
        let (sent, received) = (r.originatorIPBytes, r.responderIPBytes)
        hosts.update(r.originatorAddress, initial: Totals()) { $0.add(packets, bytes); $0.sent &+= sent; $0.received &+= received }
        if r.responderAddress != r.originatorAddress {
            hosts.update(r.responderAddress, initial: Totals()) { $0.add(packets, bytes); $0.sent &+= received; $0.received &+= sent }
        }
        if protoNames[r.ipProtocol] == nil { protoNames[r.ipProtocol] = r.proto }
        ports.update(Port(ipProtocol: r.ipProtocol, port: r.responderPort), initial: Totals()) { $0.add(packets, bytes) }
        conversations.update(Conversation(originator: r.originatorAddress, responder: r.responderAddress), initial: Totals()) { $0.add(packets, bytes) }
        if let p = r.process { Self.count(&processes, p, packets, bytes) }
        if let c = r.originatorCountry { Self.count(&countries, c, packets, bytes) }
        if let c = r.responderCountry, c != r.originatorCountry { Self.count(&countries, c, packets, bytes) }
        Self.count(&services, r.service ?? "-", packets, bytes)
        Self.count(&states, r.connState, packets, bytes)
        if let a = r.originatorASN { networks.update(a, initial: Totals()) { $0.add(packets, bytes) } }
        if let a = r.responderASN, a != r.originatorASN { networks.update(a, initial: Totals()) { $0.add(packets, bytes) } }
    }

    private static func count<K: Hashable>(_ d: inout [K: Totals], _ key: K, _ packets: UInt64, _ bytes: UInt64) {
        if d.count >= maxKeys && d[key] == nil { return }
        d[key, default: Totals()].add(packets, bytes)
    }

    /// Writes the minute gathered so far and rolls up its hour (at the run's end).
    mutating func finish(_ db: Database) throws {
        let m = minute
        try write(db)
        if m != .min { try Self.rollUp(db, hoursFrom: HistoryTime.floor(m, 3600), to: HistoryTime.floor(m, 3600) + 3600) }
    }

    /// The tables, their key columns and the value columns besides packets, bytes and flows.
    /// (The first five are schema v2's.)
    static let tables = [("top_host", "host", ", sent, received"), ("top_port", "proto, port", ""), ("top_conversation", "orig_h, resp_h", ""),
                         ("top_process", "process", ""), ("top_country", "country", ""),
                         ("top_service", "service", ""), ("top_state", "conn_state", ""), ("top_asn", "asn", "")]

    /// (Re)computes the hour rows of the hours in [from, to) from their minute rows: whatever
    /// runs wrote into those minutes, and the same answer if done twice (after a crash).
    static func rollUp(_ db: Database, hoursFrom from: Int64, to: Int64 = 1 << 40) throws {
        try rollUp(db, hoursFrom: from, to: to, tables: tables[...])
        try rollUpSketches(db, hoursFrom: from, to: to)
    }

    /// Adds `sketch` to the minute's `host_sketch` row (another run may have written one).
    static func writeSketch(_ db: Database, _ sketch: HostSketch, minute: Int64) throws {
        var merged = sketch
        if let old = try Data.fetchOne(db, sql: "SELECT sketch FROM host_sketch WHERE resolution = 60 AND t = ?", arguments: [minute]),
           let s = HostSketch(bytes: [UInt8](old)) {
            merged.merge(s)
        }
        try db.execute(sql: "INSERT OR REPLACE INTO host_sketch (resolution, t, sketch) VALUES (60, ?, ?)", arguments: [minute, Data(merged.bytes)])
    }

    /// The hour rows of `host_sketch` in [from, to), merged from their minutes.
    static func rollUpSketches(_ db: Database, hoursFrom from: Int64, to: Int64 = 1 << 40) throws {
        guard try db.tableExists("host_sketch") else { return }
        try db.execute(sql: "DELETE FROM host_sketch WHERE resolution = 3600 AND t >= ? AND t < ?", arguments: [from, to])
        var hour: Int64?
        var merged = HostSketch()
        func flush() throws {
            guard let hour else { return }
            try db.execute(sql: "INSERT OR REPLACE INTO host_sketch (resolution, t, sketch) VALUES (3600, ?, ?)", arguments: [hour, Data(merged.bytes)])
        }
        let rows = try Row.fetchCursor(db, sql: "SELECT t, sketch FROM host_sketch WHERE resolution = 60 AND t >= ? AND t < ? ORDER BY t", arguments: [from, to])
        while let row = try rows.next() {
            let h = HistoryTime.floor(row["t"], 3600)
            if h != hour {
                try flush()
                hour = h
                merged = HostSketch()
            }
            if let s = HostSketch(bytes: [UInt8]((row["sketch"] as Data?) ?? Data())) { merged.merge(s) }
        }
        try flush()
    }

    static func rollUp(_ db: Database, hoursFrom from: Int64, to: Int64 = 1 << 40, tables: ArraySlice<(String, String, String)>) throws {
        for (table, keys, extra) in tables {
            // A v2 top_host (while migrating) has no sent and received yet.
            let extra = try db.columns(in: table).contains { $0.name == "sent" } ? extra : ""
            let sums = extra.isEmpty ? "" : ", sum(sent) AS sent, sum(received) AS received"
            try db.execute(sql: "DELETE FROM \(table) WHERE resolution = 3600 AND t >= ?1 AND t < ?2", arguments: [from, to])
            try db.execute(sql: """
                INSERT INTO \(table) (resolution, t, \(keys), packets, bytes, flows\(extra))
                  SELECT 3600, hour, \(keys), p, b, f\(extra) FROM (
                    SELECT (t / 3600) * 3600 AS hour, \(keys), sum(packets) AS p, sum(bytes) AS b, sum(flows) AS f\(sums),
                      row_number() OVER (PARTITION BY t / 3600 ORDER BY sum(bytes) DESC) AS rb,
                      row_number() OVER (PARTITION BY t / 3600 ORDER BY sum(packets) DESC) AS rp
                    FROM \(table) WHERE resolution = 60 AND t >= ?1 AND t < ?2 GROUP BY t / 3600, \(keys))
                  WHERE rb <= \(keepPerHour) OR rp <= \(keepPerHour);
                """, arguments: [from, to])
        }
    }

    /// Writes the minute gathered so far (adding to rows another run wrote for it).
    mutating func write(_ db: Database) throws {
        guard minute != .min else { return }
        let m = minute
        let names = protoNames
        try Self.insert(db, arena, "top_host", "host", hosts.entries, m, sentReceived: true) { $0.address($1) }
        try Self.insert(db, arena, "top_port", "proto, port", ports.entries, m) { $0.text(names[$1.ipProtocol] ?? String($1.ipProtocol)); $0.int(Int64($1.port)) }
        try Self.insert(db, arena, "top_conversation", "orig_h, resp_h", conversations.entries, m) { $0.address($1.originator); $0.address($1.responder) }
        try Self.insert(db, arena, "top_process", "process", processes.map { $0 }, m) { $0.text($1) }
        try Self.insert(db, arena, "top_country", "country", countries.map { $0 }, m) { $0.text($1) }
        try Self.insert(db, arena, "top_service", "service", services.map { $0 }, m) { $0.text($1) }
        try Self.insert(db, arena, "top_state", "conn_state", states.map { $0 }, m) { $0.text($1) }
        try Self.insert(db, arena, "top_asn", "asn", networks.entries, m) { $0.int(Int64($1)) }
        if !sketch.isEmpty { try Self.writeSketch(db, sketch, minute: m) }
        sketch = HostSketch()
        countries.removeAll(keepingCapacity: true)
        services.removeAll(keepingCapacity: true)
        states.removeAll(keepingCapacity: true)
        networks.removeAll()
        hosts.removeAll()
        ports.removeAll()
        conversations.removeAll()
        processes.removeAll(keepingCapacity: true)
        minute = .min
    }

    /// One table's rows for `minute`: the chosen keys, each bound by `key` (its columns, in
    /// the order `columns` names them), then its totals.
    private static func insert<K>(_ db: Database, _ arena: TextArena, _ table: String, _ columns: String, _ d: [(key: K, value: Totals)], _ minute: Int64,
                                            sentReceived: Bool = false, key: (inout SQLiteBinder, K) -> Void) throws {
        guard !d.isEmpty else { return }
        let marks = Array(repeating: "?", count: columns.split(separator: ",").count).joined(separator: ", ")
        let extra = sentReceived ? ", sent, received" : "", extraMarks = sentReceived ? ", ?, ?" : ""
        let extraSet = sentReceived ? ", sent = sent + excluded.sent, received = received + excluded.received" : ""
        let statement = try db.cachedStatement(sql: """
            INSERT INTO \(table) (resolution, t, \(columns), packets, bytes, flows\(extra)) VALUES (60, ?, \(marks), ?, ?, ?\(extraMarks))
            ON CONFLICT DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes, flows = flows + excluded.flows\(extraSet)
            """).sqliteStatement
        for (k, t) in chosen(d) {
            var b = SQLiteBinder(statement, arena: arena)
            b.int(minute)
            key(&b, k)
            b.totals(t)
            if sentReceived { b.int(Int64(bitPattern: t.sent)); b.int(Int64(bitPattern: t.received)) }
            try b.step(db)
        }
    }

    /// The `keep` biggest by bytes and the `keep` biggest by packets (ties at the edge may
    /// add a few): a selection in linear time, not a sort, as the minute can hold many keys.
    static func chosen<K>(_ d: [(key: K, value: Totals)]) -> [(K, Totals)] {
        guard d.count > 2 * keep else { return d.map { ($0.key, $0.value) } }
        var values = d.map(\.value.bytes)
        let bytes = TopSelection.kthLargest(&values, keep)
        values = d.map(\.value.packets)
        let packets = TopSelection.kthLargest(&values, keep)
        var out: [(K, Totals)] = []
        out.reserveCapacity(2 * keep)
        for (k, t) in d where t.bytes > bytes || t.packets > packets { out.append((k, t)) }
        // Then those equal to a threshold, until each list has its `keep`.
        var roomBytes = keep - d.count { $0.value.bytes > bytes }
        var roomPackets = keep - d.count { $0.value.packets > packets }
        for (k, t) in d where !(t.bytes > bytes || t.packets > packets) {
            if t.bytes == bytes && roomBytes > 0 {
                roomBytes -= 1
                if t.packets == packets && roomPackets > 0 { roomPackets -= 1 }
                out.append((k, t))
            } else if t.packets == packets && roomPackets > 0 {
                roomPackets -= 1
                out.append((k, t))
            }
        }
        return out
    }
}

extension SQLiteBinder {
    mutating func totals(_ t: TopAggregator.Totals) {
        int(Int64(bitPattern: t.packets)); int(Int64(bitPattern: t.bytes)); int(Int64(bitPattern: t.flows))
    }
}
