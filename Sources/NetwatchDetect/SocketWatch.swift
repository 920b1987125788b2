import NetwatchDecode
import NetwatchHost

/// Compares each scan of the socket table with the last: which connections opened and closed,
/// and which findings (a block-listed peer, a process over its connection limit) started or
/// ended. A finding is reported once when it starts, again when it changes (a process's
/// connection count doubles since the last report) and once when it ends, never every scan.
public struct SocketWatch {
    public var blocklist: Blocklist
    public var connectionLimit: Int
    private var previous: [Socket.Tuple: Socket] = [:]
    private var active: [FindingKey: Alert] = [:]
    private var first = true

    public init(blocklist: Blocklist, connectionLimit: Int = 20) {
        self.blocklist = blocklist
        self.connectionLimit = connectionLimit
    }

    /// What one scan found.
    public struct Report {
        public var sockets: Int
        public var connections: Int
        public var opened: [Socket]
        public var closed: [Socket]
        /// New, changed and ended findings, in that order.
        public var alerts: [Alert]
        /// Findings still holding (reported before, not repeated).
        public var ongoing: Int
    }

    /// Whether a connection is one a process holds. The kernel keeps what a process has closed
    /// (TIME_WAIT, an orphaned FIN_WAIT2 waiting for a peer that never closes) without an
    /// inode; a connection not yet accepted has none yet either.
    public static func isLive(_ s: Socket) -> Bool { s.inode != 0 && s.state != .timeWait && s.state != .close }

    enum FindingKey: Hashable {
        case blocklisted(pid: Int32, remote: IPAddress)
        case excessive(pid: Int32)
    }

    /// A connection is its protocol and 4-tuple; its state changes from scan to scan. It opens
    /// when it is first seen live, and closes when it is gone or has ended (TIME_WAIT): never a
    /// close and an open for a change of state. A tuple taken by another socket (another inode)
    /// is another connection.
    public mutating func scan(_ sockets: [Socket], time: Double) -> Report {
        var current: [Socket.Tuple: Socket] = [:]
        for s in sockets where s.isConnection {
            // Should a tuple appear twice (an old TIME_WAIT and a new connection), the live one counts.
            if let other = current[s.tuple], Self.isLive(other) && !Self.isLive(s) { continue }
            current[s.tuple] = s
        }
        func replaced(_ old: Socket, by new: Socket) -> Bool { old.inode != 0 && new.inode != 0 && old.inode != new.inode }
        var opened: [Socket] = []
        var closed: [Socket] = []
        if !first {
            for (tuple, s) in current where Self.isLive(s) {
                guard let before = previous[tuple] else { opened.append(s); continue }
                if !Self.isLive(before) || replaced(before, by: s) { opened.append(s) }
            }
            for (tuple, before) in previous where Self.isLive(before) {
                guard let now = current[tuple] else { closed.append(before); continue }
                if !Self.isLive(now) || replaced(before, by: now) { closed.append(before) }
            }
        }
        first = false
        previous = current
        let live = current.values.filter(Self.isLive)

        var findings: [FindingKey: Alert] = [:]
        var perProcess: [Int32: (count: Int, owner: ProcessOwner)] = [:]
        // Sorted, so the socket an alert names is the same from scan to scan.
        let connections = live.sorted { ($0.localPort, $0.remotePort, $0.inode) < ($1.localPort, $1.remotePort, $1.inode) }
        var listedCount: [FindingKey: Int] = [:]
        for s in connections {
            let pid = s.owner?.pid ?? -1
            if let owner = s.owner { perProcess[owner.pid, default: (0, owner)].count += 1 }
            guard !blocklist.isEmpty, let entry = blocklist.lookup(s.remoteAddress) else { continue }
            let key = FindingKey.blocklisted(pid: pid, remote: s.remoteAddress)
            listedCount[key, default: 0] += 1
            if findings[key] != nil { continue }
            var a = Alert(time: time, signature: .blocklistedPeer, category: "Connection to a block-listed address", severity: 1,
                          reason: "")
            a.pid = s.owner?.pid
            a.process = s.owner?.name
            a.transport = s.transport.rawValue
            a.localAddress = s.localAddress
            a.localPort = s.localPort
            a.remoteAddress = s.remoteAddress
            a.remotePort = s.remotePort
            a.reason = "\(Self.who(s.owner)) connected to block-listed \(s.remoteAddress) (\(entry.source))"
            findings[key] = a
        }
        for (key, n) in listedCount where n > 1 {
            findings[key]!.connections = n
            findings[key]!.reason += "; \(n) connections"
        }
        for (pid, p) in perProcess where p.count > connectionLimit {
            var a = Alert(time: time, signature: .excessiveConnections, category: "Process with excessive connections", severity: 2,
                          reason: "\(Self.who(p.owner)) holds \(p.count) connections (limit \(connectionLimit))")
            a.pid = pid
            a.process = p.owner.name
            a.connections = p.count
            findings[.excessive(pid: pid)] = a
        }

        var raised: [Alert] = []
        var ended: [Alert] = []
        for (key, alert) in findings.sorted(by: { $0.value.reason < $1.value.reason }) {
            if let before = active[key] {
                // Changed: the connection count has doubled since it was reported.
                if case .excessive = key, let now = alert.connections, let then = before.connections, now >= 2 * then {
                    raised.append(alert)
                    active[key] = alert
                }
                continue
            }
            raised.append(alert)
            active[key] = alert
        }
        for (key, alert) in active.sorted(by: { $0.value.reason < $1.value.reason }) where findings[key] == nil {
            var end = alert
            end.event = .cleared
            end.time = time
            end.reason = "ended: " + alert.reason
            ended.append(end)
            active[key] = nil
        }
        return Report(sockets: sockets.count, connections: live.count, opened: opened.sorted(by: Self.order),
                      closed: closed.sorted(by: Self.order), alerts: raised + ended, ongoing: active.count - raised.count)
    }

    static func order(_ a: Socket, _ b: Socket) -> Bool {
        (a.remoteAddress, a.remotePort, a.localPort) < (b.remoteAddress, b.remotePort, b.localPort)
    }

    /// `curl (pid 1234)`, or `an unknown process` when the owner could not be read.
    static func who(_ owner: ProcessOwner?) -> String {
        guard let owner else { return "an unknown process" }
        return "\(owner.name) (pid \(owner.pid))"
    }
}
