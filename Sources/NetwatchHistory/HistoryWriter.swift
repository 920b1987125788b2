import Foundation
import GRDB
import NetwatchDetect
import NetwatchEvents
import NetwatchGeo
import NetwatchHost
import NetwatchView

/// The history store as a sink: events go on a bounded queue and a thread of their own writes
/// them in batched transactions (one a second, or sooner when many are waiting). Reading a
/// file, a full queue makes the road wait (nothing is lost); live, what does not fit is
/// counted as dropped and the capture goes on. A failed commit (disk full) is warned about
/// once, its records counted as dropped, and writing resumes when the disk takes it again.
public final class HistoryWriter: EventSink, @unchecked Sendable {
    public let store: HistoryStore
    private let events: EventQueue
    // Written by the writer thread.
    private var runID: Int64?
    private var statements = Statements()
    public private(set) var written: UInt64 = 0
    /// Called once with a warning (disk full, records dropped live).
    public var warn: (@Sendable (String) -> Void)?

    let retention: HistoryRetention
    /// Conn records retention took out, in this run.
    public private(set) var pruned = 0

    /// Each conn record's ends looked up here, off the packet thread.
    let geo: GeoDatabase?

    public init(store: HistoryStore, live: Bool, retention: HistoryRetention = HistoryRetention(), geo: GeoDatabase? = nil,
                capacity: Int = 1 << 16, commitInterval: Double = 1) {
        self.store = store
        self.geo = geo.flatMap { $0.isEmpty ? nil : $0 }
        self.retention = retention
        events = EventQueue(capacity: capacity, live: live, interval: commitInterval)
        checkpointer = WALCheckpointer(path: store.path, limit: Self.walLimit)
        events.onFull = { [unowned self] in
            warn?("the history database \(store.path) cannot keep up; records are being dropped (counted in the run's records_dropped)")
        }
        if checkpointer != nil {
            _ = try? store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        }
        events.start(threadName: Self.threadName, write: { [unowned self] batch in commit(batch, &self.statements) },
                     finish: { [unowned self] in checkpointer?.stop() })
    }

    /// Checkpoints on a thread of their own (nil: SQLite's own, in the writer's commits).
    private let checkpointer: WALCheckpointer?
    /// The WAL's size past which the writer checkpoints itself: four times the point at
    /// which SQLite's automatic checkpoint would have run (1,000 pages).
    static let walLimit: Int64 = 16 << 20

    /// Records that could not be written (queue full live, or a failed commit).
    public var dropped: UInt64 { events.dropped }

    /// Events waiting to be written (the bounded queue's depth, for `/metrics`).
    public var queueDepth: Int { events.depth }

    public func receive(_ event: NetwatchEvent) { events.push(event) }

    /// Conn rows are written when flows end: a record at each open would be made for nothing.
    public var hearsFlowOpens: Bool { false }
    /// Names for `dns_name`.
    public var hearsDNSAnswers: Bool { true }

    public func flush() {}

    /// Writes everything queued and stops the thread (at the run's end).
    public func close() { events.close() }

    /// The writer thread's name as the kernel shows it (`comm`, 15 bytes at most): `monitor`
    /// keeps this thread's priority when it lowers the web server's.
    public static let threadName = "nw-history"

    /// Retention, in the commit's own transaction (so that what is committed is within the
    /// bounds): by age every 10 s, by size whenever the file is over its bound.
    private func prune(_ db: Database, _ s: inout Statements) throws {
        guard !retention.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        let over = try retention.maxBytes.map { try HistoryRetention.used(db) > $0 } ?? false
        guard over || now - s.lastPrune >= 10 else { return }
        s.lastPrune = now
        pruned += try retention.prune(db, now: now)
    }

    /// What the writer thread keeps between commits: statements prepared once, the next
    /// conn id, the host index and top tables being gathered.
    struct Statements {
        var conn: Statement?
        var alert: Statement?
        var traffic: Statement?
        var nextID: Int64?
        var index = ConnHostIndex()
        var top = TopAggregator()
        /// The text of the conn row being bound (the top tables bind through their own).
        let arena = TextArena()
        /// The conn ids' chunk this commit wrote into, with its first and last ts.
        var span: (chunk: Int64, first: Double, last: Double)?
        /// A commit failed: what it gathered in memory is gone with it, so the index is
        /// rebuilt from the rows that made it and the ids read again.
        var lost = false
        var lastPrune = -Double.infinity
        var run: RunInfo?
        /// The run's row went in with this commit (and goes if it fails).
        var runInserted = false
        /// Commits are failing (and a warning was given).
        var failing = false
    }

    private func commit(_ batch: [NetwatchEvent], _ statements: inout Statements) {
        do {
            statements.runInserted = false
            try store.queue.inTransaction(.immediate) { db in
                try insertRun(db, &statements)
                if statements.lost {
                    try ConnHostIndex.catchUp(db)
                    statements.lost = false
                }
                for event in batch { try write(event, db, &statements) }
                try Self.writeSpan(db, &statements)
                try prune(db, &statements)
                return .commit
            }
            written &+= UInt64(batch.count)
            if let checkpointer {
                if checkpointer.overLimit {
                    _ = try? store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
                } else {
                    checkpointer.poke()
                }
            }
            if statements.failing {
                statements.failing = false
                warn?("the history database \(store.path) is written again (\(dropped) records were dropped meanwhile)")
            }
        } catch {
            if statements.runInserted { runID = nil }
            let failingBefore = statements.failing
            // Folding the WAL into the file may give back the room the next commit needs.
            _ = try? store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            statements.failing = true
            statements.nextID = nil
            statements.index = ConnHostIndex()
            statements.top = TopAggregator()
            statements.span = nil
            statements.lost = true
            let records = UInt64(batch.count { if case .tick = $0 { false } else { true } })
            let first = events.countDropped(records)
            // Warned once per outage: again after writing resumed and failed anew.
            if first || !failingBefore { warn?("\(HistoryStore.explain(error, path: store.path, writing: true, existed: true).message); \(records) records not written, capture goes on") }
        }
    }

    /// Widens `conn_chunk` for the chunk this commit wrote into (readers prune chunks by time).
    private static func writeSpan(_ db: Database, _ s: inout Statements) throws {
        guard let span = s.span else { return }
        try db.execute(sql: """
            INSERT INTO conn_chunk (chunk, first_ts, last_ts) VALUES (?, ?, ?)
            ON CONFLICT (chunk) DO UPDATE SET first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts)
            """, arguments: [span.chunk, span.first, span.last])
        s.span = nil
    }

    /// The run's row, once: at its start, or at the first commit that succeeds (disk full).
    private func insertRun(_ db: Database, _ s: inout Statements) throws {
        guard runID == nil, let run = s.run else { return }
        try db.execute(sql: "INSERT INTO run (started, command, interfaces, file, filter, host, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [run.started, run.command, run.interfaces, run.file, run.filter, run.host, run.version])
        runID = db.lastInsertedRowID
        s.runInserted = true
    }

    private func write(_ event: NetwatchEvent, _ db: Database, _ s: inout Statements) throws {
        switch event {
        case .runStarted(let run):
            s.run = run
            try insertRun(db, &s)
        case .runEnded(let run):
            guard let runID else { return }
            try s.index.write(db)
            try s.top.finish(db)
            try db.execute(sql: "UPDATE run SET ended = ?, packets = ?, bytes = ?, dropped = ?, flows = ?, alerts = ?, records_dropped = ? WHERE id = ?",
                           arguments: [run.ended, Int64(bitPattern: run.packets), Int64(bitPattern: run.bytes), Int64(bitPattern: run.dropped),
                                       Int64(bitPattern: run.flows), Int64(bitPattern: run.alerts), Int64(bitPattern: dropped), runID])
        case .flowOpened, .flowActive:
            break
        case .flowEnded(var r):
            guard let runID else { return }
            if let geo { geo.annotate(&r) }
            let id = try s.nextID ?? (Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM conn") ?? 1)
            s.nextID = id + 1
            if s.index.add(id: id, r.originatorAddress, r.responderAddress) {
                try s.index.write(db)
                _ = s.index.add(id: id, r.originatorAddress, r.responderAddress)
            }
            let ts = HistoryTime.seconds(r.start)
            let chunk = id >> HistorySchema.chunkShift
            if let span = s.span, span.chunk == chunk {
                s.span = (chunk, min(span.first, ts), max(span.last, ts))
            } else {
                try Self.writeSpan(db, &s)
                s.span = (chunk, ts, ts)
            }
            try s.top.add(r, db)
            if s.conn == nil {
                s.conn = try db.makeStatement(sql: """
                    INSERT INTO conn (id, run, ts, uid, community_id, orig_h, orig_p, resp_h, resp_p, proto, ip_proto, service,
                      duration, orig_bytes, resp_bytes, conn_state, history, orig_pkts, orig_ip_bytes, resp_pkts, resp_ip_bytes,
                      vlan, encapsulation, tunnel_parents, icmp_errors, icmp_last_error, end_reason, processes_known, pid, process, interface,
                      orig_cc, resp_cc, orig_asn, resp_asn)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            // Bound through SQLite's own calls on GRDB's prepared statement: GRDB's
            // StatementArguments boxed 30 values per row and cost more than the insert.
            let st = s.conn!.sqliteStatement
            var b = SQLiteBinder(st, arena: s.arena)
            b.int(id); b.int(runID); b.double(ts); b.text(r.uid); b.text(r.communityID)
            b.address(r.originatorAddress); b.int(Int64(r.originatorPort)); b.address(r.responderAddress); b.int(Int64(r.responderPort))
            b.text(r.proto); b.int(Int64(r.ipProtocol)); b.text(r.service)
            b.double(HistoryTime.seconds(r.duration)); b.int(Int64(bitPattern: r.originatorBytes)); b.int(Int64(bitPattern: r.responderBytes))
            b.text(r.connState); b.text(r.history)
            b.int(Int64(bitPattern: r.originatorPackets)); b.int(Int64(bitPattern: r.originatorIPBytes))
            b.int(Int64(bitPattern: r.responderPackets)); b.int(Int64(bitPattern: r.responderIPBytes))
            b.int(r.vlan.map { Int64($0) }); b.text(r.encapsulation); b.text(r.tunnelParents.isEmpty ? nil : r.tunnelParents.joined(separator: ","))
            b.int(Int64(r.icmpErrors)); b.int(Int64(r.lastICMPError)); b.text(r.endReason); b.int(r.processesKnown ? 1 : 0)
            b.int(r.pid.map { Int64($0) }); b.text(r.process); b.text(r.interface)
            b.text(r.originatorCountry); b.text(r.responderCountry); b.int(r.originatorASN.map { Int64($0) }); b.int(r.responderASN.map { Int64($0) })
            try b.step(db)
        case .alert(let a):
            guard let runID else { return }
            if s.alert == nil {
                s.alert = try db.makeStatement(sql: """
                    INSERT INTO alert (run, ts, event_type, signature, category, severity, reason, src_ip, src_port, dest_ip, dest_port,
                      proto, community_id, pid, process, socket_alert, local_ip, local_port, remote_ip, remote_port, connections, details)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            let values: [(any DatabaseValueConvertible)?] = [
                runID, a.time, a.event.rawValue, a.signature.rawValue, a.category, a.severity, a.reason,
                a.sourceAddress?.description, a.sourcePort.map { Int($0) }, a.destinationAddress?.description, a.destinationPort.map { Int($0) },
                a.transport, a.communityID, a.pid.map { Int($0) }, a.process, AlertWriter.isSocketAlert(a),
                a.localAddress?.description, a.localPort.map { Int($0) }, a.remoteAddress?.description, a.remotePort.map { Int($0) },
                a.connections, "{" + AlertWriter.detailsJSON(a) + "}",
            ]
            s.alert!.setUncheckedArguments(StatementArguments(values))
            try s.alert!.execute()
        case .socketOpened(let socket, let time), .socketClosed(let socket, let time):
            guard let runID else { return }
            let opened = if case .socketOpened = event { true } else { false }
            try db.execute(sql: """
                INSERT INTO socket_event (run, ts, event, proto, family, local_ip, local_port, remote_ip, remote_port, state, inode, uid, pid, process, cmdline)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runID, time, opened ? "opened" : "closed", socket.transport.rawValue, socket.localAddress.isIPv6 ? "ipv6" : "ipv4",
                                 socket.localAddress.description, Int(socket.localPort), socket.remoteAddress.description, Int(socket.remotePort),
                                 socket.state.name(for: socket.transport), Int64(bitPattern: socket.inode), Int(socket.uid),
                                 socket.owner.map { Int($0.pid) }, socket.owner?.name, socket.owner?.commandLine])
        case .dnsAnswer(let a):
            let st = try db.cachedStatement(sql: """
                INSERT INTO dns_name (address, name, first_ts, last_ts, seconds) VALUES (?, ?, ?, ?, 1)
                ON CONFLICT (address, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts), seconds = seconds + 1
                """)
            st.setUncheckedArguments([a.address.description, a.name, a.time, a.time])
            try st.execute()
        case .tick(let t):
            if s.traffic == nil {
                s.traffic = try db.makeStatement(sql: """
                    INSERT INTO traffic (resolution, t, packets, bytes, tcp, udp, icmp, other, dropped, tcp_bytes, udp_bytes, icmp_bytes)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (resolution, t) DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes,
                      tcp = tcp + excluded.tcp, udp = udp + excluded.udp, icmp = icmp + excluded.icmp, other = other + excluded.other,
                      dropped = dropped + excluded.dropped, tcp_bytes = tcp_bytes + excluded.tcp_bytes,
                      udp_bytes = udp_bytes + excluded.udp_bytes, icmp_bytes = icmp_bytes + excluded.icmp_bytes
                    """)
            }
            // Per interface when the run captures on several (-i a -i b), or a file's second
            // interface shows up (a pcapng's if0, if1, ...: from that second on).
            let names = s.run?.interfaces?.split(separator: ",").map(String.init) ?? []
            if names.count > 1 || t.interfaces.count > 1 || t.interfaces.contains(where: { $0.interface > 0 }) {
                let st = try db.cachedStatement(sql: """
                    INSERT INTO traffic_interface (resolution, t, interface, packets, bytes) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (resolution, t, interface) DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes
                    """)
                for i in t.interfaces {
                    let name = i.interface < names.count ? names[i.interface] : "if\(i.interface)"
                    for resolution in [Int64(1), 60, 3600] {
                        st.setUncheckedArguments([resolution, HistoryTime.floor(t.second, resolution), name,
                                                  Int64(bitPattern: i.packets), Int64(bitPattern: i.bytes)])
                        try st.execute()
                    }
                }
            }
            if let runID {
                try db.cachedStatement(sql: "UPDATE run SET first_ts = min(coalesce(first_ts, ?1), ?1), last_ts = max(coalesce(last_ts, ?2), ?2) WHERE id = ?3")
                    .execute(arguments: [Double(t.second), Double(t.second + 1), runID])
            }
            for resolution in [Int64(1), 60, 3600] {
                let start = HistoryTime.floor(t.second, resolution)
                s.traffic!.setUncheckedArguments([resolution, start, Int64(bitPattern: t.packets), Int64(bitPattern: t.bytes),
                                                  Int64(bitPattern: t.tcp), Int64(bitPattern: t.udp), Int64(bitPattern: t.icmp),
                                                  Int64(bitPattern: t.other), Int64(bitPattern: t.dropped),
                                                  Int64(bitPattern: t.tcpBytes), Int64(bitPattern: t.udpBytes), Int64(bitPattern: t.icmpBytes)])
                try s.traffic!.execute()
            }
        }
    }
}
