import Foundation
import GRDB
import NetwatchDetect
import NetwatchEvents
import NetwatchView

/// The history store as a sink: events go on a bounded queue and a thread of their own writes
/// them in batched transactions (one a second, or sooner when many are waiting). Reading a
/// file, a full queue makes the road wait (nothing is lost); live, what does not fit is
/// counted as dropped and the capture goes on. A failed commit (disk full) is warned about
/// once, its records counted as dropped, and writing resumes when the disk takes it again.
public final class HistoryWriter: EventSink, @unchecked Sendable {
    public let store: HistoryStore
    let live: Bool
    let capacity: Int
    let commitInterval: Double
    private let condition = NSCondition()
    private var queue: [NetwatchEvent] = []
    private var closing = false
    private var done = false
    private var thread: Thread?
    // Written by the writer thread, read under the lock.
    private var runID: Int64?
    private var droppedRecords: UInt64 = 0
    private var warned = false
    public private(set) var written: UInt64 = 0
    /// Called once with a warning (disk full, records dropped live).
    public var warn: (@Sendable (String) -> Void)?

    public init(store: HistoryStore, live: Bool, capacity: Int = 1 << 16, commitInterval: Double = 1) {
        self.store = store
        self.live = live
        self.capacity = capacity
        self.commitInterval = commitInterval
        let t = Thread { [unowned self] in self.writeLoop() }
        t.name = "netwatch-history"
        thread = t
        t.start()
    }

    /// Records that could not be written (queue full live, or a failed commit).
    public var dropped: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return droppedRecords
    }

    public func receive(_ event: NetwatchEvent) {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity {
            if live {
                droppedRecords &+= 1
                if !warned {
                    warned = true
                    warn?("netwatch: warning: the history database \(store.path) cannot keep up; records are being dropped (counted in the run's records_dropped)")
                }
                return
            }
            condition.signal()
            condition.wait()
        }
        queue.append(event)
        if queue.count >= 4096 { condition.signal() }
        if case .runEnded = event { closeLocked() }
    }

    public func flush() {}

    /// Writes everything queued and stops the thread (at the run's end).
    public func close() {
        condition.lock()
        closeLocked()
        condition.unlock()
    }

    /// Called with the lock held.
    private func closeLocked() {
        closing = true
        condition.broadcast()
        while !done { condition.wait() }
    }

    private func writeLoop() {
        var batch: [NetwatchEvent] = []
        var statements = Statements()
        while true {
            condition.lock()
            let deadline = Date(timeIntervalSinceNow: commitInterval)
            while queue.count < 4096 && !closing {
                if !condition.wait(until: deadline) { break }
            }
            swap(&batch, &queue)
            let last = closing
            condition.broadcast()
            condition.unlock()
            if !batch.isEmpty { commit(batch, &statements) }
            batch.removeAll(keepingCapacity: true)
            if last {
                condition.lock()
                if queue.isEmpty {
                    done = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                condition.unlock()
            }
        }
    }

    /// The statements, prepared once per connection.
    struct Statements {
        var conn: Statement?
        var alert: Statement?
        var traffic: Statement?
    }

    private func commit(_ batch: [NetwatchEvent], _ statements: inout Statements) {
        do {
            try store.queue.inTransaction(.immediate) { db in
                for event in batch { try write(event, db, &statements) }
                return .commit
            }
            written &+= UInt64(batch.count)
        } catch {
            let records = UInt64(batch.count { if case .tick = $0 { false } else { true } })
            condition.lock()
            droppedRecords &+= records
            let first = !warned
            warned = true
            condition.unlock()
            if first { warn?("netwatch: warning: \(HistoryStore.explain(error, path: store.path, writing: true, existed: true).message); \(records) records not written, capture goes on") }
        }
    }

    private func write(_ event: NetwatchEvent, _ db: Database, _ s: inout Statements) throws {
        switch event {
        case .runStarted(let run):
            try db.execute(sql: "INSERT INTO run (started, command, interfaces, file, filter, host, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [run.started, run.command, run.interfaces, run.file, run.filter, run.host, run.version])
            runID = db.lastInsertedRowID
        case .runEnded(let run):
            guard let runID else { return }
            try db.execute(sql: "UPDATE run SET ended = ?, packets = ?, bytes = ?, dropped = ?, flows = ?, alerts = ?, records_dropped = ? WHERE id = ?",
                           arguments: [run.ended, Int64(bitPattern: run.packets), Int64(bitPattern: run.bytes), Int64(bitPattern: run.dropped),
                                       Int64(bitPattern: run.flows), Int64(bitPattern: run.alerts), Int64(bitPattern: dropped), runID])
        case .flowOpened:
            break
        case .flowEnded(let r):
            guard let runID else { return }
            if s.conn == nil {
                s.conn = try db.makeStatement(sql: """
                    INSERT INTO conn (run, ts, uid, community_id, orig_h, orig_p, resp_h, resp_p, proto, ip_proto, service,
                      duration, orig_bytes, resp_bytes, conn_state, history, orig_pkts, orig_ip_bytes, resp_pkts, resp_ip_bytes,
                      vlan, encapsulation, tunnel_parents, icmp_errors, icmp_last_error, end_reason, processes_known, pid, process, interface)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            // Bound through SQLite's own calls on GRDB's prepared statement: GRDB's
            // StatementArguments boxed 30 values per row and cost more than the insert.
            let st = s.conn!.sqliteStatement
            var b = SQLiteBinder(st)
            b.int(runID); b.double(HistoryTime.seconds(r.start)); b.text(r.uid); b.text(r.communityID)
            b.text(r.originatorAddress.description); b.int(Int64(r.originatorPort)); b.text(r.responderAddress.description); b.int(Int64(r.responderPort))
            b.text(r.proto); b.int(Int64(r.ipProtocol)); b.text(r.service)
            b.double(HistoryTime.seconds(r.duration)); b.int(Int64(bitPattern: r.originatorBytes)); b.int(Int64(bitPattern: r.responderBytes))
            b.text(r.connState); b.text(r.history)
            b.int(Int64(bitPattern: r.originatorPackets)); b.int(Int64(bitPattern: r.originatorIPBytes))
            b.int(Int64(bitPattern: r.responderPackets)); b.int(Int64(bitPattern: r.responderIPBytes))
            b.int(r.vlan.map { Int64($0) }); b.text(r.encapsulation); b.text(r.tunnelParents.isEmpty ? nil : r.tunnelParents.joined(separator: ","))
            b.int(Int64(r.icmpErrors)); b.int(Int64(r.lastICMPError)); b.text(r.endReason); b.int(r.processesKnown ? 1 : 0)
            b.int(r.pid.map { Int64($0) }); b.text(r.process); b.text(r.interface)
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
        case .tick(let t):
            if s.traffic == nil {
                s.traffic = try db.makeStatement(sql: """
                    INSERT INTO traffic (resolution, t, packets, bytes, tcp, udp, icmp, other, dropped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (resolution, t) DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes,
                      tcp = tcp + excluded.tcp, udp = udp + excluded.udp, icmp = icmp + excluded.icmp, other = other + excluded.other,
                      dropped = dropped + excluded.dropped
                    """)
            }
            for resolution in [Int64(1), 60, 3600] {
                let start = HistoryTime.floor(t.second, resolution)
                s.traffic!.setUncheckedArguments([resolution, start, Int64(bitPattern: t.packets), Int64(bitPattern: t.bytes),
                                                  Int64(bitPattern: t.tcp), Int64(bitPattern: t.udp), Int64(bitPattern: t.icmp),
                                                  Int64(bitPattern: t.other), Int64(bitPattern: t.dropped)])
                try s.traffic!.execute()
            }
        }
    }
}
