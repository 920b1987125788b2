import NetwatchDecode
import NetwatchFlow

/// The packet-side detectors: port scans, address and ping sweeps, SYN floods, block-listed
/// contacts, attempts on watched ports, invalid TCP flags and ARP spoofing. It reads each
/// packet with what the flow table made of it (new flow, first reply, completed handshake), so
/// scans are judged by connection outcome: a probed port counts as failed until it answers.
///
/// Only new flows, first replies, SYNs and ARP reach the trackers; every other packet costs a
/// few comparisons. All state is bounded (`maxTracked` keys per tracker). While a host is under
/// a SYN flood, SYNs to it skip the per-source trackers: a random-source flood would otherwise
/// fill them with one-packet sources (a scan of the victim during the flood goes unreported).
public final class ThreatDetector {
    public private(set) var config: DetectionConfig
    private(set) var blocklist: Blocklist
    private(set) var home: NetworkSet
    let emit: (Alert) -> Void
    let incidents: IncidentBook
    let scans: SpreadTracker<PairKey, UInt32>
    let sweeps: SpreadTracker<SweepKey, IPAddress>
    let pings: SpreadTracker<IPAddress, IPAddress>
    let arpProbes: SpreadTracker<IPAddress, IPAddress>
    var floods: [IPAddress: FloodWindow] = [:]
    /// The host SYNed last, kept outside `floods` (see `countSYN`), behind a pointer: it
    /// changes on every SYN, and as stored properties each access cost a dynamic exclusivity
    /// check.
    let hot: UnsafeMutablePointer<HotFlood>
    private(set) var floodThreshold: Int
    var invalid: [IPAddress: InvalidFlagsRecord] = [:]
    var arpBindings: [IPAddress: MACAddress] = [:]
    /// Attempts and answers counted in the last second: repeats are not counted again.
    let recentAttempts = RecentAttempts()
    let recentAnswers = RecentAttempts()
    let recentContacts = RecentAttempts()
    var arpClaims: [UInt64: (IPAddress, Double, Bool)] = [:]
    /// ARP requests seen: asker and the address asked for, when.
    var arpAsked: [PairKey: Double] = [:]
    /// The spoofer (MAC) whose incident an address was first reported under.
    var arpIncidentOf: [IPAddress: UInt64] = [:]
    private var watched = [UInt64](repeating: 0, count: 1024)
    private var checkSYNs: Bool
    private var checkFlags: Bool
    private var checkBlocklist: Bool
    private var lastTick = 0.0
    public private(set) var alertsRaised = 0

    struct PairKey: Hashable {
        var source: IPAddress
        var target: IPAddress
    }

    struct SweepKey: Hashable {
        var source: IPAddress
        var port: UInt16
        var proto: UInt8
    }

    public init(config: DetectionConfig, blocklist: Blocklist, emit: @escaping (Alert) -> Void) {
        self.config = config
        self.blocklist = blocklist
        self.emit = emit
        home = NetworkSet(config.homeNetworks) ?? NetworkSet([])!
        incidents = IncidentBook(idle: config.suppress)
        let limit = config.maxTracked
        scans = SpreadTracker(window: config.portScan.window, limit: limit)
        sweeps = SpreadTracker(window: config.addressSweep.window, limit: limit)
        pings = SpreadTracker(window: config.pingSweep.window, limit: limit)
        arpProbes = SpreadTracker(window: config.pingSweep.window, limit: limit)
        for port in config.suspicious.watchedPorts { watched[Int(port) >> 6] |= 1 << UInt64(port & 63) }
        checkSYNs = config.synFlood.enabled
        floodThreshold = Int((config.synFlood.rate * config.synFlood.window).rounded(.up))
        checkFlags = config.suspicious.enabled && config.suspicious.invalidFlags
        checkBlocklist = config.blocklist.enabled && !blocklist.isEmpty
        hot = .allocate(capacity: 1)
        hot.initialize(to: HotFlood())
    }

    /// A new config and block lists (SIGHUP), on the packet thread: thresholds, windows,
    /// scopes and lists change at once; what the trackers hold so far is kept.
    public func reload(config new: DetectionConfig, blocklist list: Blocklist) {
        config = new
        blocklist = list
        home = NetworkSet(new.homeNetworks) ?? home
        incidents.idle = new.suppress
        scans.window = new.portScan.window
        sweeps.window = new.addressSweep.window
        pings.window = new.pingSweep.window
        arpProbes.window = new.pingSweep.window
        scans.limit = new.maxTracked
        sweeps.limit = new.maxTracked
        pings.limit = new.maxTracked
        arpProbes.limit = new.maxTracked
        watched = [UInt64](repeating: 0, count: 1024)
        for port in new.suspicious.watchedPorts { watched[Int(port) >> 6] |= 1 << UInt64(port & 63) }
        checkSYNs = new.synFlood.enabled
        floodThreshold = Int((new.synFlood.rate * new.synFlood.window).rounded(.up))
        checkFlags = new.suspicious.enabled && new.suspicious.invalidFlags
        checkBlocklist = new.blocklist.enabled && !list.isEmpty
    }

    deinit {
        hot.deinitialize(count: 1)
        hot.deallocate()
    }

    @inline(__always)
    static func seconds(_ ns: Int64) -> Double { Double(ns) / 1e9 }

    /// One packet, after the flow table has seen it (`update` is nil for packets of no flow).
    /// Inlined into the packet loop: the packets no detector reads (data in a flow already
    /// seen, without SYN, FIN or RST) cost a few comparisons, no call and no copy of the
    /// packet (`inout` only to pass it by reference; it is not changed).
    @inlinable @inline(always)
    public func observe(_ p: inout DecodedPacket, _ update: FlowTable.Update?, _ flows: FlowTable, time: Int64) {
        if p.network != .arp, let u = update, !u.isNew, !u.isFirstReply, !u.completedHandshake,
            p.transport != .tcp || (p.tcp.flags.rawValue & 0x07 == 0 && p.tcp.flags.rawValue & 0x3F != 0)
        {
            return
        }
        inspect(&p, update, flows, time: time)
    }

    /// The packets `observe` lets through. (`inout` here and below only to pass the packet by
    /// reference: taken by value, each call copied its 439 bytes.)
    @usableFromInline
    func inspect(_ p: inout DecodedPacket, _ update: FlowTable.Update?, _ flows: FlowTable, time: Int64) {
        if p.network == .arp {
            if p.arp.isEthernetIPv4 { arp(p, time: Self.seconds(time)) }
            return
        }
        guard let u = update else { return }
        if p.transport == .tcp {
            let f = p.tcp.flags.rawValue & 0x3F
            if checkSYNs {
                if f & 0x12 == 0x02, countSYN(&p, time: Self.seconds(time)), u.isNew { return }
                if u.completedHandshake {
                    if hot.pointee.present && p.dst == hot.pointee.victim { hot.pointee.window.handshakeCompleted() } else { floods[p.dst]?.handshakeCompleted() }
                }
            }
            // No flags, SYN+FIN, SYN+RST, FIN+RST: no stack sends these.
            if checkFlags && (f == 0 || f & 0x03 == 0x03 || f & 0x06 == 0x06 || f & 0x05 == 0x05) {
                invalidFlags(&p, u, flows, time: Self.seconds(time))
            }
        }
        if u.isNew {
            newFlow(&p, u, flows, time: Self.seconds(time))
        } else if u.isFirstReply {
            firstReply(&p, time: Self.seconds(time))
        } else if u.fromOriginator && p.transport == .tcp && p.tcp.flags.contains(.rst) {
            originatorReset(&p, u, flows, time: Self.seconds(time))
        }
    }

    /// Once a second of packet time (and live, of wall time): floods are judged, pending
    /// findings raised, quiet incidents summarised.
    public func tick(now: Int64) {
        let t = Self.seconds(now)
        guard t >= lastTick else { return }
        lastTick = t
        judgeFloods(now: t, final: false)
        raisePendingFlags(now: t, final: false)
        for a in incidents.close(now: t) { emit(a) }
    }

    /// At the end of the run: floods and pending findings judged on what was seen, every open
    /// incident summarised.
    public func finish(now: Int64) {
        let t = max(Self.seconds(now), lastTick)
        judgeFloods(now: t, final: true)
        raisePendingFlags(now: t, final: true)
        for a in incidents.close(now: t, everything: true) { emit(a) }
    }

    func raise(_ key: IncidentBook.Key, _ alert: Alert, first: Double) {
        guard incidents.start(key, alert, first: first, time: alert.time) else { return }
        alertsRaised += 1
        emit(alert)
    }

    // MARK: New flows

    private func newFlow(_ p: inout DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        if checkBlocklist { blocklisted(&p, u, flows, time: time) }
        guard u.fromOriginator else { return }
        switch p.transport {
        case .tcp, .udp:
            guard let kind = Self.probeKind(p) else { return }
            attempt(&p, kind, u, flows, time: time)
        case .icmp, .icmpv6:
            let echo = p.transport == .icmp ? p.icmp.type == 8 : p.icmp.type == 128
            if echo && config.pingSweep.enabled { ping(p, u, flows, time: time) }
        default:
            break
        }
    }

    /// What the first packet of a flow says about its sender; nil when it starts no attempt
    /// (a reset, or data in the middle of a connection the capture joined late).
    static func probeKind(_ p: DecodedPacket) -> ProbeKind? {
        if p.transport == .udp { return .udp }
        let f = p.tcp.flags
        let bits = f.rawValue & 0x3F
        if f.contains(.syn) {
            if f.contains(.ack) || f.contains(.rst) { return nil }
            return p.tcp.headerLength <= 24 ? .syn : .connect
        }
        switch bits {
        case 0: return .null
        case 0x01: return .fin
        case 0x29: return .xmas
        case 0x10: return p.payloadLength == 0 ? .ack : nil
        default: return f.contains(.rst) || f.contains(.ack) ? nil : .otherTCP
        }
    }

    static func protoName(_ p: DecodedPacket) -> String {
        switch p.transport {
        case .tcp: "tcp"
        case .udp: "udp"
        case .icmp: "icmp"
        case .icmpv6: "ipv6-icmp"
        default: String(p.ipProtocol)
        }
    }

    /// The alert skeleton for a packet-side finding: who, whom, which flow.
    func alert(_ signature: Alert.Signature, _ category: String, severity: Int, time: Double, reason: String,
               _ p: DecodedPacket, _ u: FlowTable.Update?, _ flows: FlowTable?) -> Alert {
        var a = Alert(time: time, signature: signature, category: category, severity: severity, reason: reason)
        a.sourceAddress = p.src
        a.destinationAddress = p.dst
        a.transport = Self.protoName(p)
        if p.hasPorts {
            a.sourcePort = p.srcPort
            a.destinationPort = p.dstPort
        }
        if let u, let flows { a.communityID = flows[u.index].communityID }
        return a
    }

    @inline(__always)
    func isWatched(_ port: UInt16) -> Bool { watched[Int(port) >> 6] & (1 << UInt64(port & 63)) != 0 }
}
