import NetwatchDecode
import NetwatchFlow

/// Port scans, address sweeps and ping sweeps: distinct failed targets per source.
extension ThreatDetector {
    func attempt(_ p: inout DecodedPacket, _ kind: ProbeKind, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        if config.suspicious.enabled && (kind == .syn || kind == .connect || kind == .udp) && isWatched(p.dstPort) {
            watchedPortAttempt(p, u, flows, time: time)
        }
        let item = UInt32(p.ipProtocol) << 16 | UInt32(p.dstPort)
        if recentAttempts.seen(p.src, p.dst, item, time: time) { return }
        if config.portScan.enabled {
            let e = scans.probe(PairKey(source: p.src, target: p.dst), item, kind: kind, time: time)
            judgeScan(p.src, p.dst, e, item: item, p, u, flows, time: time)
        }
        if config.addressSweep.enabled {
            let e = sweeps.probe(SweepKey(source: p.src, port: p.dstPort, proto: p.ipProtocol), p.dst, kind: kind, time: time)
            if incidents.isOpen(.sweep(p.src)) {
                incidents.touch(.sweep(p.src), time: time) { i in
                    if i.targets.count < 65_536 { i.targets.insert(p.dst) }
                }
            } else if e.failed >= config.addressSweep.hosts && !incidents.isOpen(.scan(p.src)) {
                raiseSweep(p, e, u, flows, time: time)
            }
        }
    }

    /// Raises a port scan when the pair's failed ports reach the threshold; while the source's
    /// scan incident is open, adds to it instead.
    func judgeScan(_ source: IPAddress, _ target: IPAddress, _ e: SpreadTracker<PairKey, UInt32>.Entry, item: UInt32,
                   _ p: DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        if incidents.isOpen(.scan(source)) {
            incidents.touch(.scan(source), time: time) { i in
                if i.targets.count < 65_536 { i.targets.insert(target) }
                if i.items.count < 65_536 { i.items.insert(item) }
                i.latest = [Alert.Detail("ports_probed", .int(i.items.count)), Alert.Detail("hosts", .int(i.targets.count))]
            }
            return
        }
        guard e.failed >= config.portScan.ports else { return }
        let kind = e.kinds.dominant ?? (p.transport == .udp ? .udp : .syn)
        let ports = (e.single.map { [$0] } ?? Array(e.items)).map { Int($0 & 0xFFFF) }.sorted()
        let open = e.answered.count
        var a = alert(.portScan(kind), "Detection of a Network Scan", severity: 2, time: time,
                      reason: "\(source) probed \(e.distinct) ports on \(target) in \(IncidentBook.seconds(time - e.first)) (\(e.failed) closed or silent, \(open) open): \(kind.scanName) scan",
                      p, u, flows)
        // The scanner is the source, whichever way the triggering packet went.
        if a.sourceAddress != source {
            swap(&a.sourceAddress, &a.destinationAddress)
            swap(&a.sourcePort, &a.destinationPort)
        }
        a.details = [
            Alert.Detail("scan_type", .text(kind.scanName)),
            Alert.Detail("ports_probed", .int(e.distinct)),
            Alert.Detail("ports_failed", .int(e.failed)),
            Alert.Detail("ports_open", .int(open)),
            Alert.Detail("sample_ports", .ints(Array(ports.prefix(20)))),
            Alert.Detail("first_seen", .time(e.first)),
            Alert.Detail("last_seen", .time(time)),
        ]
        raise(.scan(source), a, first: e.first)
        incidents.touch(.scan(source), time: time) { i in
            i.targets.insert(target)
            for port in ports.prefix(4096) { i.items.insert(UInt32(p.ipProtocol) << 16 | UInt32(port)) }
        }
    }

    private func raiseSweep(_ p: DecodedPacket, _ e: SpreadTracker<SweepKey, IPAddress>.Entry, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        let proto = Self.protoName(p)
        let hosts = (e.single.map { [$0] } ?? Array(e.items)).sorted()
        var a = alert(.addressSweep(port: p.dstPort, proto: proto), "Detection of a Network Scan", severity: 2, time: time,
                      reason: "\(p.src) probed port \(p.dstPort)/\(proto) on \(e.distinct) hosts in \(IncidentBook.seconds(time - e.first)) (\(e.failed) closed or silent)",
                      p, u, flows)
        a.details = [
            Alert.Detail("hosts", .int(e.distinct)),
            Alert.Detail("hosts_failed", .int(e.failed)),
            Alert.Detail("sample_hosts", .texts(hosts.prefix(10).map { "\($0)" })),
            Alert.Detail("first_seen", .time(e.first)),
            Alert.Detail("last_seen", .time(time)),
        ]
        raise(.sweep(p.src), a, first: e.first)
    }

    func ping(_ p: DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        let e = pings.probe(p.src, p.dst, kind: nil, time: time)
        if incidents.isOpen(.sweep(p.src)) {
            incidents.touch(.sweep(p.src), time: time) { i in
                if i.targets.count < 65_536 { i.targets.insert(p.dst) }
                i.latest = [Alert.Detail("hosts", .int(max(e.distinct, i.targets.count)))]
            }
            return
        }
        guard e.distinct >= config.pingSweep.hosts else { return }
        let hosts = (e.single.map { [$0] } ?? Array(e.items)).sorted()
        var a = alert(.pingSweep, "Detection of a Network Scan", severity: 3, time: time,
                      reason: "\(p.src) sent ICMP echo requests to \(e.distinct) hosts in \(IncidentBook.seconds(time - e.first))", p, u, flows)
        a.details = [
            Alert.Detail("method", .text("ICMP echo")),
            Alert.Detail("hosts", .int(e.distinct)),
            Alert.Detail("sample_hosts", .texts(hosts.prefix(10).map { "\($0)" })),
            Alert.Detail("first_seen", .time(e.first)),
            Alert.Detail("last_seen", .time(time)),
        ]
        raise(.sweep(p.src), a, first: e.first)
        incidents.touch(.sweep(p.src), time: time) { i in
            for h in hosts { i.targets.insert(h) }
        }
    }

    /// The responder's first packet: anything but a reset means the port (or host) answered.
    func firstReply(_ p: inout DecodedPacket, time: Double) {
        guard p.transport == .udp || (p.transport == .tcp && !p.tcp.flags.contains(.rst)) else { return }
        let item = UInt32(p.ipProtocol) << 16 | UInt32(p.srcPort)
        if recentAnswers.seen(p.dst, p.src, item, time: time) { return }
        if config.portScan.enabled {
            scans.answer(PairKey(source: p.dst, target: p.src), UInt32(p.ipProtocol) << 16 | UInt32(p.srcPort))
        }
        if config.addressSweep.enabled {
            sweeps.answer(SweepKey(source: p.dst, port: p.srcPort, proto: p.ipProtocol), p.src)
        }
    }

    /// The originator reset a connection that was answered but carried no data: a half-open
    /// probe (nmap -sS) or a connect-and-drop probe (-sT) of an open port. It counts as failed.
    func originatorReset(_ p: inout DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        guard config.portScan.enabled || config.addressSweep.enabled else { return }
        let f = flows[u.index]
        guard f.originatorBytes == 0 && f.responderBytes == 0 && f.responderPackets > 0 else { return }
        let item = UInt32(p.ipProtocol) << 16 | UInt32(p.dstPort)
        let key = PairKey(source: p.src, target: p.dst)
        if config.portScan.enabled {
            scans.unanswer(key, item)
            if let e = scans.entry(key), !incidents.isOpen(.scan(p.src)), time - e.first <= config.portScan.window {
                judgeScan(p.src, p.dst, e, item: item, p, u, flows, time: time)
            }
        }
        if config.addressSweep.enabled { sweeps.unanswer(SweepKey(source: p.src, port: p.dstPort, proto: p.ipProtocol), p.dst) }
        recentAnswers.forget()
    }
}
