import NetwatchDecode
import NetwatchEvents
import NetwatchFlow
import NetwatchGeo
import NetwatchHistory

/// The ended flows of a capture summed as the history writer's tables sum them (a record
/// counts in the minute of the newest end seen so far), in full: per host (sent, received,
/// first seen), port, conversation, process, country, network, and per minute, conn_state
/// and service; and a compact line per flow, for the first `keptFlows`.
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
        var originatorPort: UInt16, responderPort: UInt16
        var ipProtocol: UInt8
        var originatorIPBytes: UInt64, responderIPBytes: UInt64
        var originatorPackets: UInt64, responderPackets: UInt64
        var uid: String, proto: String, connState: String
        var service: String?

        var line: Report.FlowLine {
            Report.FlowLine(uid: uid, ts: Double(start) / 1e9, duration: Double(duration) / 1e9, origH: "\(originator)", origP: originatorPort,
                            respH: "\(responder)", respP: responderPort, proto: proto, service: service, connState: connState,
                            origIpBytes: originatorIPBytes, respIpBytes: responderIPBytes, origPkts: originatorPackets, respPkts: responderPackets,
                            communityId: CommunityID.flow(originator, originatorPort, responder, responderPort, ipProtocol: ipProtocol))
        }
    }

    struct Port: Hashable { var ipProtocol: UInt8; var port: UInt16 }
    /// Service, conn_state and minute in one key: one hash per flow for three tables.
    struct Outcome: Hashable { var minute: Int64; var state: String; var service: String? }
    struct Pair: Hashable { var a: IPAddress; var b: IPAddress }

    static let keptFlows = 500_000
    static let maxKeys = 1 << 22

    var hosts: [IPAddress: Totals] = [:]
    /// Counted as the history's host_sketch counts, so that both reports say the same.
    var sketch = HostSketch()
    var ports: [Port: Totals] = [:]
    var pairs: [Pair: Totals] = [:]
    var processes: [String: Totals] = [:]
    var countries: [String: Totals] = [:]
    var networks: [UInt32: Totals] = [:]
    var outcomes: [Outcome: Totals] = [:]
    var protoNames = [String?](repeating: nil, count: 256)
    var kept: [Kept] = []
    var flows: UInt64 = 0
    private var newestEnd: Int64 = .min

    mutating func add(_ r: FlowRecord, geo: GeoDatabase?) {
        flows += 1
        let end = r.end / 1_000_000_000
        if end > newestEnd { newestEnd = end }
        let minute = newestEnd >= 0 ? newestEnd / 60 * 60 : -((-newestEnd + 59) / 60) * 60
        let p = r.originatorPackets &+ r.responderPackets, b = r.originatorIPBytes &+ r.responderIPBytes
        let start = Double(r.start) / 1e9
        sketch.add(r.originatorAddress)
        sketch.add(r.responderAddress)
        Self.count(&hosts, r.originatorAddress) { $0.add(p, b); $0.sent &+= r.originatorIPBytes; $0.received &+= r.responderIPBytes; $0.first = min($0.first, start) }
        if r.responderAddress != r.originatorAddress {
            Self.count(&hosts, r.responderAddress) { $0.add(p, b); $0.sent &+= r.responderIPBytes; $0.received &+= r.originatorIPBytes; $0.first = min($0.first, start) }
        }
        if protoNames[Int(r.ipProtocol)] == nil { protoNames[Int(r.ipProtocol)] = r.proto }
        Self.count(&ports, Port(ipProtocol: r.ipProtocol, port: r.responderPort)) { $0.add(p, b) }
        Self.count(&pairs, Pair(a: r.originatorAddress, b: r.responderAddress)) { $0.add(p, b) }
        Self.count(&outcomes, Outcome(minute: minute, state: r.connState, service: r.service)) { $0.add(p, b) }
        if let x = r.process { Self.count(&processes, x) { $0.add(p, b) } }
        if let geo {
            let a = geo.lookup(r.originatorAddress).info, z = geo.lookup(r.responderAddress).info
            let ca = a.country?.description, cz = z.country?.description
            if let c = ca { Self.count(&countries, c) { $0.add(p, b) } }
            if let c = cz, c != ca { Self.count(&countries, c) { $0.add(p, b) } }
            if let n = a.asn { Self.count(&networks, n) { $0.add(p, b) } }
            if let n = z.asn, n != a.asn { Self.count(&networks, n) { $0.add(p, b) } }
        }
        if kept.count < Self.keptFlows {
            kept.append(Kept(minute: minute, start: r.start, duration: r.duration, originator: r.originatorAddress, responder: r.responderAddress,
                             originatorPort: r.originatorPort, responderPort: r.responderPort, ipProtocol: r.ipProtocol,
                             originatorIPBytes: r.originatorIPBytes, responderIPBytes: r.responderIPBytes,
                             originatorPackets: r.originatorPackets, responderPackets: r.responderPackets,
                             uid: r.uid, proto: r.proto, connState: r.connState, service: r.service))
        }
    }

    /// One lookup: `update` changes the key's totals in place.
    @inline(__always)
    static func count<K: Hashable>(_ d: inout [K: Totals], _ key: K, _ update: (inout Totals) -> Void) {
        if d.count >= maxKeys && d[key] == nil { return }
        update(&d[key, default: Totals()])
    }

    /// Services over the run, and flows per minute and conn_state.
    func split() -> (services: [String: Totals], points: [(t: Int64, state: String, flows: UInt64)]) {
        var services: [String: Totals] = [:]
        var points: [Outcome: UInt64] = [:]
        for (k, t) in outcomes {
            services[k.service ?? "-", default: Totals()].merge(t)
            points[Outcome(minute: k.minute, state: k.state, service: nil), default: 0] += t.flows
        }
        return (services, points.map { (t: $0.key.minute, state: $0.key.state, flows: $0.value) })
    }
}
