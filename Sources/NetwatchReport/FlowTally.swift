import NetwatchDecode
import NetwatchEvents
import NetwatchFlow
import NetwatchGeo
import NetwatchHistory
import NetwatchView

/// The ended flows of a capture summed as the history writer's tables sum them (a record
/// counts in the minute of the newest end seen so far), in full: per host (sent, received,
/// first seen), port, conversation, process, country, network, and per minute, conn_state
/// and service; and a compact line per flow, for the first `keptFlows`.
///
/// It reads the flow table's own records: keys are numbers (the service by the table's
/// number for it, conn_state by its case, the uid by the flow's id), and the strings a
/// report shows are made at the end, for what it shows.
struct FlowTally {
    struct Totals {
        var packets: UInt64 = 0, bytes: UInt64 = 0, flows: UInt64 = 0
        var sent: UInt64 = 0, received: UInt64 = 0
        /// Hosts: the first flow's start, seconds.
        var first: Double = .infinity

        @inline(__always) mutating func add(_ p: UInt64, _ b: UInt64) { packets &+= p; bytes &+= b; flows &+= 1 }
        mutating func merge(_ t: Totals) { packets &+= t.packets; bytes &+= t.bytes; flows &+= t.flows }
    }

    /// What is kept of a flow for the strips and the alerts' flows (no Community ID: it is
    /// made for the few flows an alert lists).
    struct Kept {
        var minute: Int64
        var start: Int64, duration: Int64
        var originator: IPAddress, responder: IPAddress
        var originatorIPBytes: UInt64, responderIPBytes: UInt64
        var originatorPackets: UInt64, responderPackets: UInt64
        var id: UInt64
        var originatorPort: UInt16, responderPort: UInt16
        var service: UInt16
        var ipProtocol: UInt8
        var transport: TransportProtocol
        var state: ConnectionState
    }

    /// The port a flow went to, and its IP protocol: one word.
    struct Port: SeededHashable {
        var bits: UInt32
        init(ipProtocol: UInt8, port: UInt16) { bits = UInt32(ipProtocol) << 16 | UInt32(port) }
        var ipProtocol: UInt8 { UInt8(truncatingIfNeeded: bits >> 16) }
        var port: UInt16 { UInt16(truncatingIfNeeded: bits) }
        @inline(__always) func hash(into h: inout SeededHash) { h.add(UInt64(bits)) }
    }

    /// Minute, conn_state and service in one key: one lookup per flow for three tables.
    struct Outcome: SeededHashable {
        var minute: Int64
        var state: ConnectionState
        /// The service table's number for the name (0: none).
        var service: UInt16
        @inline(__always) func hash(into h: inout SeededHash) {
            h.add(UInt64(bitPattern: minute) << 24 ^ UInt64(service) << 8 ^ UInt64(state.ordinal))
        }
    }

    struct Pair: SeededHashable {
        var a: IPAddress, b: IPAddress
        @inline(__always) func hash(into h: inout SeededHash) { IPAddress.hash(a, b, into: &h) }
    }

    struct Name: SeededHashable {
        var text: String
        func hash(into h: inout SeededHash) { h.add(UInt64(bitPattern: Int64(text.hashValue))) }
    }

    static let keptFlows = 500_000
    static let maxKeys = 1 << 22

    var hosts = SumTable<IPAddress, Totals>(limit: maxKeys)
    /// Hosts past `maxKeys`, counted as the history's host_sketch counts (those in `hosts`
    /// are added at the end), so that both reports say the same.
    private var overflow = HostSketch()
    var ports = SumTable<Port, Totals>(limit: maxKeys)
    var pairs = SumTable<Pair, Totals>(limit: maxKeys)
    var processes = SumTable<Name, Totals>(limit: maxKeys)
    var countries = SumTable<Name, Totals>(limit: maxKeys)
    var networks = SumTable<UInt32, Totals>(limit: maxKeys)
    var outcomes = SumTable<Outcome, Totals>(limit: maxKeys)
    /// Zeek's proto per IP protocol, as the first flow of it had it.
    var transports = [TransportProtocol?](repeating: nil, count: 256)
    /// Reserved whole at the first flow, so that it is never copied as it grows: pages are only
    /// taken as lines are written (128 bytes a flow).
    var kept: [Kept] = []
    var flows: UInt64 = 0
    private var newestEnd: Int64 = .min

    /// Counts `f`; `service` is the service table's number for its name, `process` its local
    /// process's name when the run knows processes.
    mutating func add(_ f: UnsafePointer<Flow>, service: UInt16, process: String?, geo: GeoDatabase?) {
        flows += 1
        let end = f.pointee.last / 1_000_000_000
        if end > newestEnd { newestEnd = end }
        let minute = newestEnd >= 0 ? newestEnd / 60 * 60 : -((-newestEnd + 59) / 60) * 60
        let (o, r) = (f.pointee.originator, f.pointee.responder)
        let (oPackets, rPackets) = (f.pointee.originatorPackets, f.pointee.responderPackets)
        let (oBytes, rBytes) = (f.pointee.originatorIPBytes, f.pointee.responderIPBytes)
        let p = oPackets &+ rPackets, b = oBytes &+ rBytes
        let start = Double(f.pointee.first) / 1e9
        if !hosts.update(o.address, initial: Totals(), { $0.add(p, b); $0.sent &+= oBytes; $0.received &+= rBytes; $0.first = min($0.first, start) }) {
            overflow.add(o.address)
        }
        if r.address != o.address,
           !hosts.update(r.address, initial: Totals(), { $0.add(p, b); $0.sent &+= rBytes; $0.received &+= oBytes; $0.first = min($0.first, start) }) {
            overflow.add(r.address)
        }
        let ipProtocol = f.pointee.key.proto, transport = f.pointee.transport
        if transports[Int(ipProtocol)] == nil { transports[Int(ipProtocol)] = transport }
        ports.update(Port(ipProtocol: ipProtocol, port: r.port), initial: Totals()) { $0.add(p, b) }
        pairs.update(Pair(a: o.address, b: r.address), initial: Totals()) { $0.add(p, b) }
        let state = f.pointee.state
        outcomes.update(Outcome(minute: minute, state: state, service: service), initial: Totals()) { $0.add(p, b) }
        if let process { processes.update(Name(text: process), initial: Totals()) { $0.add(p, b) } }
        if let geo { countGeo(o.address, r.address, geo, p, b) }
        if kept.count < Self.keptFlows {
            if kept.capacity == 0 { kept.reserveCapacity(Self.keptFlows) }
            kept.append(Kept(minute: minute, start: f.pointee.first, duration: f.pointee.duration, originator: o.address, responder: r.address,
                             originatorIPBytes: oBytes, responderIPBytes: rBytes, originatorPackets: oPackets, responderPackets: rPackets,
                             id: f.pointee.id, originatorPort: o.port, responderPort: r.port, service: service, ipProtocol: ipProtocol,
                             transport: transport, state: state))
        }
    }

    private mutating func countGeo(_ x: IPAddress, _ y: IPAddress, _ geo: GeoDatabase, _ p: UInt64, _ b: UInt64) {
        let a = geo.lookup(x).info, z = geo.lookup(y).info
        let ca = a.country?.description, cz = z.country?.description
        if let c = ca { countries.update(Name(text: c), initial: Totals()) { $0.add(p, b) } }
        if let c = cz, c != ca { countries.update(Name(text: c), initial: Totals()) { $0.add(p, b) } }
        if let n = a.asn { networks.update(n, initial: Totals()) { $0.add(p, b) } }
        if let n = z.asn, n != a.asn { networks.update(n, initial: Totals()) { $0.add(p, b) } }
    }

    /// Every host seen, counted as the history's sketch counts them.
    var sketch: HostSketch {
        var s = overflow
        for e in hosts.entries { s.add(e.key) }
        return s
    }

    /// Zeek's proto name for an IP protocol the tally saw.
    func proto(_ ipProtocol: UInt8) -> String? {
        transports[Int(ipProtocol)].map(FlowRecord.zeekProto)
    }

    /// Services over the run (by the table's number), and flows per minute and conn_state.
    func split() -> (services: [UInt16: Totals], points: [(t: Int64, state: String, flows: UInt64)]) {
        var services: [UInt16: Totals] = [:]
        var points: [Outcome: UInt64] = [:]
        for (k, t) in outcomes.entries {
            services[k.service, default: Totals()].merge(t)
            points[Outcome(minute: k.minute, state: k.state, service: 0), default: 0] += t.flows
        }
        return (services, points.map { (t: $0.key.minute, state: $0.key.state.rawValue, flows: $0.value) })
    }
}

extension FlowTally.Kept {
    /// The flow's line, its strings made now: the uid from the run's `uids`, the service name
    /// from the run's table.
    func line(uids: FlowUID, services: ServiceTable?) -> Report.FlowLine {
        Report.FlowLine(uid: uids.uid(id: id), ts: Double(start) / 1e9, duration: Double(duration) / 1e9, origH: "\(originator)", origP: originatorPort,
                        respH: "\(responder)", respP: responderPort, proto: FlowRecord.zeekProto(transport),
                        service: ConnectionNames.recordService(service, services), connState: state.rawValue,
                        origIpBytes: originatorIPBytes, respIpBytes: responderIPBytes, origPkts: originatorPackets, respPkts: responderPackets,
                        communityId: CommunityID.flow(originator, originatorPort, responder, responderPort, ipProtocol: ipProtocol))
    }
}
