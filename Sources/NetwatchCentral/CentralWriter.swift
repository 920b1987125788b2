import Foundation
import NetwatchDetect
import NetwatchEvents
import NetwatchGeo
import NetwatchHistory
import NetwatchHost
import NetwatchView
import NIOConcurrencyHelpers
import PostgresNIO

/// The central PostgreSQL as a sink: the same bounded queue as the SQLite store's writer
/// (reading a file, a full queue makes the road wait; live, what does not fit is counted as
/// dropped), written by a thread of its own a batch per transaction, conn records, alerts
/// and socket events by COPY. A lost connection keeps the batch in hand and reconnects with
/// backoff; each batch carries its number (`ingest`), so one that was committed just before
/// the connection went is not written twice.
public final class CentralWriter: EventSink, @unchecked Sendable {
    public let url: CentralURL
    public let sensor: String
    let retention: HistoryRetention
    let geo: GeoDatabase?
    private let connection: CentralConnection
    private let events: EventQueue
    private let counts = NIOLockedValueBox<UInt64>(0)
    // The writer thread's own.
    private var run: RunInfo?
    private var runID: Int64?
    private var batchNumber: Int64 = 0
    private var lastPrune = -Double.infinity
    private var outage: Double?
    /// Called with warnings (the server lost and back, records dropped).
    public var warn: (@Sendable (String) -> Void)?
    /// Called once at the end: records written and not delivered.
    public var report: (@Sendable (String) -> Void)?
    /// After the run's end, how long to go on trying to reach a lost server before the
    /// records in hand are counted as not delivered.
    public var patienceAtEnd: Double = 30

    /// Connects and creates the tables before capture starts: a wrong URL, password or
    /// server is one sentence at once, not a warning later.
    public init(url: CentralURL, password: String?, sensor: String, live: Bool, retention: HistoryRetention = HistoryRetention(),
                geo: GeoDatabase? = nil, capacity: Int = 1 << 16, commitInterval: Double = 1) throws(CentralError) {
        self.url = url
        self.sensor = sensor
        self.retention = retention
        self.geo = geo.flatMap { $0.isEmpty ? nil : $0 }
        connection = CentralConnection(url: url, password: password)
        try connection.open()
        try CentralSchema.prepare(connection)
        events = EventQueue(capacity: capacity, live: live, interval: commitInterval, weight: Self.records(in:))
        events.onFull = { [unowned self] in
            warn?("the central database \(url) cannot keep up; records are being dropped (counted in the run's records_dropped)")
        }
        events.start(threadName: "nw-central", write: { [unowned self] batch in deliver(batch) }, finish: { [unowned self] in
            connection.close()
            report?("history to \(url) as sensor \(sensor): \(delivered) records written, \(dropped) not delivered")
        })
    }

    /// Connects and creates the tables (before capture starts and privileges are dropped),
    /// then lets go: the writer connects again when the run starts.
    public static func check(url: CentralURL, password: String?) throws(CentralError) {
        let c = CentralConnection(url: url, password: password)
        try c.open()
        defer { c.close() }
        try CentralSchema.prepare(c)
    }

    /// Records not delivered: the queue full live, a server gone past the end of the run, or
    /// a batch the server refused.
    public var dropped: UInt64 { events.dropped }

    /// Records committed (conn records, alerts, socket events, DNS answers).
    public var delivered: UInt64 { counts.withLockedValue { $0 } }

    public var queueDepth: Int { events.depth }

    public func receive(_ event: NetwatchEvent) { events.push(event) }

    public var hearsFlowOpens: Bool { false }
    public var hearsDNSAnswers: Bool { true }
    public func flush() {}

    /// Writes everything queued (or gives up on a lost server after `patienceAtEnd`) and stops.
    public func close() { events.close() }

    static func records(in event: NetwatchEvent) -> UInt64 {
        switch event {
        case .flowEnded, .alert, .socketOpened, .socketClosed, .dnsAnswer: 1
        default: 0
        }
    }

    /// Commits one batch, reconnecting for as long as the server is away; the queue fills
    /// meanwhile (and drops, live, once full).
    private func deliver(_ batch: [NetwatchEvent]) {
        var delay = 0.25
        var closedAt: Double?
        while true {
            do {
                try connection.open()
                try commit(batch)
                if let since = outage {
                    outage = nil
                    warn?("the central database \(url) is back after \(Int((Date().timeIntervalSince1970 - since).rounded())) s; queued records written")
                }
                return
            } catch {
                let message = (error as? CentralError)?.message ?? CentralConnection.describe(error)
                guard error is CentralError || CentralConnection.isConnectionLost(error) else {
                    // The server refused the batch itself: retrying would refuse it again.
                    _ = try? connection.execute(unsafeSQL: "ROLLBACK")
                    count(batch)
                    warn?("the central database \(url) refused a batch: \(message); \(batch.reduce(0) { $0 + Self.records(in: $1) }) records not written")
                    return
                }
                connection.close()
                let now = Date().timeIntervalSince1970
                if outage == nil {
                    outage = now
                    warn?("lost the central database \(url) (\(message)); retrying, queued records are kept")
                }
                if events.isClosing && closedAt == nil { closedAt = now }
                if let closedAt, now - closedAt > patienceAtEnd {
                    count(batch)
                    _ = events.discardAll()
                    warn?("gave up on the central database \(url) after \(Int(patienceAtEnd)) s at the end of the run")
                    return
                }
                usleep(UInt32(delay * 1_000_000))
                delay = min(delay * 2, 4)
            }
        }
    }

    private func count(_ batch: [NetwatchEvent]) {
        events.countDropped(batch.reduce(0) { $0 + Self.records(in: $1) })
    }

    private static let connColumns = [
        "sensor", "run", "ts", "uid", "community_id", "orig_h", "orig_p", "resp_h", "resp_p", "proto", "ip_proto", "service",
        "duration", "orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
        "vlan", "encapsulation", "tunnel_parents", "icmp_errors", "icmp_last_error", "end_reason", "processes_known", "pid", "process", "interface",
        "orig_cc", "resp_cc", "orig_asn", "resp_asn",
    ]
    private static let alertColumns = [
        "sensor", "run", "ts", "event_type", "signature", "category", "severity", "reason", "src_ip", "src_port", "dest_ip", "dest_port",
        "proto", "community_id", "pid", "process", "socket_alert", "local_ip", "local_port", "remote_ip", "remote_port", "connections", "details",
    ]
    private static let socketColumns = [
        "sensor", "run", "ts", "event", "proto", "family", "local_ip", "local_port", "remote_ip", "remote_port", "state", "inode", "uid",
        "pid", "process", "cmdline",
    ]

    struct TrafficKey: Hashable { var resolution: Int64, t: Int64, interface: String? }
    struct TrafficSum { var v = [UInt64](repeating: 0, count: 10) }

    private func commit(_ batch: [NetwatchEvent]) throws {
        var conns = CopyRows(), alerts = CopyRows(), sockets = CopyRows()
        var traffic: [TrafficKey: TrafficSum] = [:]
        var dns: [String: (address: String, name: String, first: Double, last: Double, seconds: Int64)] = [:]
        var span: (Double, Double)?
        var ended: RunInfo?
        var records: UInt64 = 0
        // The run's row first (its id is in every row), at the first commit that reaches the server.
        for event in batch { if case .runStarted(let r) = event { run = r } }
        guard let run else { return }
        if runID == nil {
            let rows = try connection.query("""
                INSERT INTO run (sensor, started, command, interfaces, file, filter, host, version)
                VALUES (\(sensor), \(run.started), \(run.command), \(run.interfaces), \(run.file), \(run.filter), \(run.host), \(run.version)) RETURNING id
                """)
            runID = try rows.first?.decode(Int64.self)
        }
        guard let runID else { return }
        for event in batch {
            switch event {
            case .runStarted: break
            case .runEnded(let r): ended = r
            case .flowOpened, .flowActive: break
            case .flowEnded(var r):
                if let geo { geo.annotate(&r) }
                records += 1
                Self.row(r, sensor: sensor, run: runID, into: &conns)
            case .alert(let a):
                records += 1
                alerts.text(sensor); alerts.int(runID); alerts.double(a.time); alerts.text(a.event.rawValue); alerts.text(a.signature.rawValue); alerts.text(a.category)
                alerts.int(Int64(a.severity)); alerts.text(a.reason); alerts.text(a.sourceAddress?.description); alerts.int(a.sourcePort.map { Int64($0) })
                alerts.text(a.destinationAddress?.description); alerts.int(a.destinationPort.map { Int64($0) }); alerts.text(a.transport); alerts.text(a.communityID)
                alerts.int(a.pid.map { Int64($0) }); alerts.text(a.process); alerts.bool(AlertWriter.isSocketAlert(a)); alerts.text(a.localAddress?.description)
                alerts.int(a.localPort.map { Int64($0) }); alerts.text(a.remoteAddress?.description); alerts.int(a.remotePort.map { Int64($0) })
                alerts.int(a.connections.map { Int64($0) }); alerts.text("{" + AlertWriter.detailsJSON(a) + "}")
                alerts.endRow()
            case .socketOpened(let s, let time), .socketClosed(let s, let time):
                records += 1
                let opened = if case .socketOpened = event { true } else { false }
                sockets.text(sensor); sockets.int(runID); sockets.double(time); sockets.text(opened ? "opened" : "closed"); sockets.text(s.transport.rawValue)
                sockets.text(s.localAddress.isIPv6 ? "ipv6" : "ipv4"); sockets.text(s.localAddress.description); sockets.int(Int64(s.localPort))
                sockets.text(s.remoteAddress.description); sockets.int(Int64(s.remotePort)); sockets.text(s.state.name(for: s.transport))
                sockets.int(Int64(bitPattern: s.inode)); sockets.int(Int64(s.uid)); sockets.int(s.owner.map { Int64($0.pid) })
                sockets.text(s.owner?.name); sockets.text(s.owner?.commandLine)
                sockets.endRow()
            case .dnsAnswer(let a):
                records += 1
                let address = a.address.description
                let key = address + "\u{0}" + a.name
                if var e = dns[key] {
                    e.first = min(e.first, a.time); e.last = max(e.last, a.time); e.seconds += 1
                    dns[key] = e
                } else {
                    dns[key] = (address, a.name, a.time, a.time, 1)
                }
            case .tick(let t):
                span = (min(span?.0 ?? Double(t.second), Double(t.second)), max(span?.1 ?? 0, Double(t.second + 1)))
                let names = run.interfaces?.split(separator: ",").map(String.init) ?? []
                let perInterface = names.count > 1 || t.interfaces.count > 1 || t.interfaces.contains { $0.interface > 0 }
                for resolution in [Int64(1), 60, 3600] {
                    let start = HistoryTime.floor(t.second, resolution)
                    let values = [t.packets, t.bytes, t.tcp, t.udp, t.icmp, t.other, t.dropped, t.tcpBytes, t.udpBytes, t.icmpBytes]
                    var sum = traffic[TrafficKey(resolution: resolution, t: start, interface: nil)] ?? TrafficSum()
                    for i in 0..<10 { sum.v[i] &+= values[i] }
                    traffic[TrafficKey(resolution: resolution, t: start, interface: nil)] = sum
                    guard perInterface else { continue }
                    for i in t.interfaces {
                        let key = TrafficKey(resolution: resolution, t: start, interface: i.interface < names.count ? names[i.interface] : "if\(i.interface)")
                        var s = traffic[key] ?? TrafficSum()
                        s.v[0] &+= i.packets; s.v[1] &+= i.bytes
                        traffic[key] = s
                    }
                }
            }
        }
        try connection.execute(unsafeSQL: "BEGIN")
        let fresh = try connection.query("INSERT INTO ingest (run, batch) VALUES (\(runID), \(batchNumber)) ON CONFLICT DO NOTHING RETURNING batch")
        if fresh.isEmpty {
            // This batch was committed before the connection went.
            try connection.execute(unsafeSQL: "ROLLBACK")
            batchNumber += 1
            return
        }
        if conns.rows > 0 { try connection.copy(table: "conn", columns: Self.connColumns, data: conns.buffer) }
        if alerts.rows > 0 { try connection.copy(table: "alert", columns: Self.alertColumns, data: alerts.buffer) }
        if sockets.rows > 0 { try connection.copy(table: "socket_event", columns: Self.socketColumns, data: sockets.buffer) }
        try writeTraffic(traffic)
        try writeDNS(Array(dns.values))
        if let span {
            try connection.query("""
                UPDATE run SET first_ts = least(coalesce(first_ts, \(span.0)), \(span.0)), last_ts = greatest(coalesce(last_ts, \(span.1)), \(span.1)) WHERE id = \(runID)
                """)
        }
        if let r = ended {
            let dropped = Int64(bitPattern: self.dropped)
            try connection.query("""
                UPDATE run SET ended = \(r.ended), packets = \(Int64(bitPattern: r.packets)), bytes = \(Int64(bitPattern: r.bytes)),
                  dropped = \(Int64(bitPattern: r.dropped)), flows = \(Int64(bitPattern: r.flows)), alerts = \(Int64(bitPattern: r.alerts)),
                  records_dropped = \(dropped) WHERE id = \(runID)
                """)
        }
        try prune()
        try connection.execute(unsafeSQL: "COMMIT")
        batchNumber += 1
        counts.withLockedValue { $0 &+= records }
    }

    static func row(_ r: FlowRecord, sensor: String, run: Int64, into c: inout CopyRows) {
        c.text(sensor); c.int(run); c.double(HistoryTime.seconds(r.start)); c.text(r.uid); c.text(r.communityID)
        c.text(r.originatorAddress.description); c.int(Int64(r.originatorPort)); c.text(r.responderAddress.description); c.int(Int64(r.responderPort))
        c.text(r.proto); c.int(Int64(r.ipProtocol)); c.text(r.service)
        c.double(HistoryTime.seconds(r.duration)); c.int(Int64(bitPattern: r.originatorBytes)); c.int(Int64(bitPattern: r.responderBytes))
        c.text(r.connState); c.text(r.history)
        c.int(Int64(bitPattern: r.originatorPackets)); c.int(Int64(bitPattern: r.originatorIPBytes))
        c.int(Int64(bitPattern: r.responderPackets)); c.int(Int64(bitPattern: r.responderIPBytes))
        c.int(r.vlan.map { Int64($0) }); c.text(r.encapsulation); c.text(r.tunnelParents.isEmpty ? nil : r.tunnelParents.joined(separator: ","))
        c.int(Int64(r.icmpErrors)); c.int(Int64(r.lastICMPError)); c.text(r.endReason); c.bool(r.processesKnown)
        c.int(r.pid.map { Int64($0) }); c.text(r.process); c.text(r.interface)
        c.text(r.originatorCountry); c.text(r.responderCountry); c.int(r.originatorASN.map { Int64($0) }); c.int(r.responderASN.map { Int64($0) })
        c.endRow()
    }

    /// The per-second, per-minute and per-hour series, added to what other batches (and
    /// other runs of this sensor) put there.
    private func writeTraffic(_ traffic: [TrafficKey: TrafficSum]) throws {
        let all = traffic.filter { $0.key.interface == nil }
        for chunk in Array(all).chunked(500) {
            var q = PostgresQuery(unsafeSQL: "")
            q.binds.append(sensor)
            let values = chunk.map { e in "($1, \(e.key.resolution), \(e.key.t), " + e.value.v.map { String(Int64(bitPattern: $0)) }.joined(separator: ", ") + ")" }
            q.sql = """
                INSERT INTO traffic (sensor, resolution, t, packets, bytes, tcp, udp, icmp, other, dropped, tcp_bytes, udp_bytes, icmp_bytes)
                VALUES \(values.joined(separator: ", "))
                ON CONFLICT (sensor, resolution, t) DO UPDATE SET packets = traffic.packets + excluded.packets, bytes = traffic.bytes + excluded.bytes,
                  tcp = traffic.tcp + excluded.tcp, udp = traffic.udp + excluded.udp, icmp = traffic.icmp + excluded.icmp,
                  other = traffic.other + excluded.other, dropped = traffic.dropped + excluded.dropped, tcp_bytes = traffic.tcp_bytes + excluded.tcp_bytes,
                  udp_bytes = traffic.udp_bytes + excluded.udp_bytes, icmp_bytes = traffic.icmp_bytes + excluded.icmp_bytes
                """
            try connection.query(q)
        }
        let interfaces = traffic.filter { $0.key.interface != nil }
        for chunk in Array(interfaces).chunked(500) {
            var q = PostgresQuery(unsafeSQL: "")
            q.binds.append(sensor)
            var values: [String] = []
            for e in chunk {
                q.binds.append(e.key.interface!)
                values.append("($1, \(e.key.resolution), \(e.key.t), $\(q.binds.count), \(Int64(bitPattern: e.value.v[0])), \(Int64(bitPattern: e.value.v[1])))")
            }
            q.sql = """
                INSERT INTO traffic_interface (sensor, resolution, t, interface, packets, bytes) VALUES \(values.joined(separator: ", "))
                ON CONFLICT (sensor, resolution, t, interface) DO UPDATE SET packets = traffic_interface.packets + excluded.packets,
                  bytes = traffic_interface.bytes + excluded.bytes
                """
            try connection.query(q)
        }
    }

    /// Passive DNS: each name an address was given, first and last seen.
    private func writeDNS(_ answers: [(address: String, name: String, first: Double, last: Double, seconds: Int64)]) throws {
        for chunk in answers.chunked(2000) {
            var q = PostgresQuery(unsafeSQL: "")
            q.binds.append(sensor)
            var values: [String] = []
            for a in chunk {
                q.binds.append(a.address)
                q.binds.append(a.name)
                values.append("($1, $\(q.binds.count - 1), $\(q.binds.count), \(a.first), \(a.last), \(a.seconds))")
            }
            q.sql = """
                INSERT INTO dns_name (sensor, address, name, first_ts, last_ts, seconds) VALUES \(values.joined(separator: ", "))
                ON CONFLICT (sensor, address, name) DO UPDATE SET first_ts = least(dns_name.first_ts, excluded.first_ts),
                  last_ts = greatest(dns_name.last_ts, excluded.last_ts), seconds = dns_name.seconds + excluded.seconds
                """
            try connection.query(q)
        }
    }

    /// Retention by age, this sensor's rows only, once a minute in the batch's transaction.
    /// (A size bound is the server's business: PostgreSQL does not shrink a table by deleting.)
    private func prune() throws {
        guard let age = retention.maxAge else { return }
        let now = Date().timeIntervalSince1970
        guard now - lastPrune >= 60 else { return }
        lastPrune = now
        let cutoff = now - age
        for (table, column) in [("conn", "ts"), ("alert", "ts"), ("socket_event", "ts"), ("traffic", "t"), ("traffic_interface", "t"), ("dns_name", "last_ts")] {
            try connection.query("DELETE FROM \(unescaped: table) WHERE sensor = \(sensor) AND \(unescaped: column) < \(cutoff)")
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
