import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which process owns the local end of a connection, from the last scan of the socket table.
/// Packet code asks it per new flow; it rescans once per tick, and when a new flow is younger
/// than the last scan and finds no owner (at most `burst` such scans a second, so a flood of
/// flows without a local process costs little), never per packet.
public final class ProcessDirectory {
    struct Bound: Hashable {
        var udp: Bool
        var port: UInt16
    }

    private let source: SocketSource
    private var connections: [Socket.Tuple: ProcessOwner] = [:]
    private var bound: [Bound: [(address: IPAddress, owner: ProcessOwner)]] = [:]
    private var owners: [Int32: ProcessOwner] = [:]
    /// Wall-clock start of the last scan, seconds since the epoch.
    public private(set) var lastScan = -Double.infinity
    private var tokens: Double
    private var tokensAt = 0.0
    public let burst: Double
    public private(set) var scans = 0

    public init(source: SocketSource = defaultSocketSource(), burst: Double = 10) {
        self.source = source
        self.burst = burst
        tokens = burst
    }

    static func realTimeSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// A rescan for a flow that found no owner: only when the flow began (`since`, wall-clock
    /// seconds, e.g. a live packet's timestamp) after the last scan started, and within budget.
    public func refreshIfOlder(than since: Double) {
        guard lastScan < since else { return }
        let now = Self.realTimeSeconds()
        tokens = min(burst, tokens + (now - tokensAt) * burst)
        tokensAt = now
        guard tokens >= 1 else { return }
        tokens -= 1
        refresh()
    }

    /// Rescans the socket table. A failed scan keeps the previous table.
    public func refresh() {
        lastScan = Self.realTimeSeconds()
        guard let sockets = try? source.scan() else { return }
        scans += 1
        connections.removeAll(keepingCapacity: true)
        bound.removeAll(keepingCapacity: true)
        for s in sockets {
            guard let owner = s.owner else { continue }
            owners[owner.pid] = owner
            let udp = s.transport == .udp
            if s.isConnection {
                connections[s.tuple] = owner
            } else {
                bound[Bound(udp: udp, port: s.localPort), default: []].append((s.localAddress, owner))
            }
        }
    }

    /// The owner of the local socket of a TCP or UDP flow between `a` (its originator) and `b`,
    /// trying each end as the local one, the originator's first (on loopback both ends are
    /// local, and the flow belongs to the process that opened it): a connected socket first,
    /// then one bound to the port (a listener's address or the wildcard). With `since` (when
    /// the flow began, wall-clock seconds), a flow younger than the last scan that finds no
    /// connected socket rescans first (`refreshIfOlder`): a listener must not stand in for a
    /// client whose socket the last scan did not see yet.
    public func owner(udp: Bool, _ a: IPAddress, _ aPort: UInt16, _ b: IPAddress, _ bPort: UInt16, since: Double? = nil) -> ProcessOwner? {
        let transport: Socket.Transport = udp ? .udp : .tcp
        func connected() -> ProcessOwner? {
            if let o = connections[Socket.Tuple(transport: transport, local: a, localPort: aPort, remote: b, remotePort: bPort)] { return o }
            return connections[Socket.Tuple(transport: transport, local: b, localPort: bPort, remote: a, remotePort: aPort)]
        }
        if let o = connected() { return o }
        if let since {
            refreshIfOlder(than: since)
            if let o = connected() { return o }
        }
        for (address, port) in [(a, aPort), (b, bPort)] {
            if let candidates = bound[Bound(udp: udp, port: port)],
               let match = candidates.first(where: { $0.address == address || $0.address.isUnspecified }) {
                return match.owner
            }
        }
        return nil
    }

    /// The name of a process seen in any scan so far.
    public func name(_ pid: Int32) -> String? { owners[pid]?.name }
}
