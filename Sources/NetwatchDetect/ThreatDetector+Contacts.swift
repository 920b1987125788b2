import NetwatchDecode
import NetwatchFlow

/// Findings about single contacts: block-listed addresses, attempts on watched ports from
/// outside, invalid TCP flags.
extension ThreatDetector {
    func blocklisted(_ p: inout DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        if blocklist.contains(p.src) { blocklisted(p.src, other: p.dst, &p, u, flows, time: time) }
        if blocklist.contains(p.dst) { blocklisted(p.dst, other: p.src, &p, u, flows, time: time) }
    }

    private func blocklisted(_ listed: IPAddress, other: IPAddress, _ p: inout DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        do {
            // The same pair again (many connections between two hosts): already counted.
            let repeated = recentContacts.seen(listed, other, 0, time: time)
            let open = incidents.isBlocklistedOpen(listed)
            if repeated && open { return }
            let key = IncidentBook.Key.blocklisted(listed)
            if open {
                incidents.touch(key, time: time) { i in if i.targets.count < 65_536 { i.targets.insert(other) } }
                return
            }
            guard incidents.mayStart(key, time: time), let entry = blocklist.lookup(listed) else { return }
            var a = alert(.blocklistedPeer, "Connection to a block-listed address", severity: 1, time: time,
                          reason: "\(other) \(listed == p.dst ? "contacted" : "was contacted by") block-listed \(listed), listed at \(entry.source)",
                          p, u, flows)
            a.details = [Alert.Detail("listed_ip", .text("\(listed)")), Alert.Detail("blocklist", .text("\(entry.file):\(entry.line)")), Alert.Detail("network", .text(entry.network))]
            raise(key, a, first: time)
        }
    }

    func watchedPortAttempt(_ p: DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        guard !home.contains(p.src), home.isEmpty || home.contains(p.dst) else { return }
        let key = IncidentBook.Key.suspicious(p.src, p.dstPort)
        if incidents.isOpen(key) {
            incidents.touch(key, time: time) { i in
                i.attempts += 1
                if i.targets.count < 65_536 { i.targets.insert(p.dst) }
            }
            return
        }
        guard incidents.mayStart(key, time: time) else { return }
        let proto = Self.protoName(p)
        var a = alert(.suspiciousAttempt(port: p.dstPort, proto: proto), "Potentially Bad Traffic", severity: 2, time: time,
                      reason: "\(p.src), outside the home networks, tried \(p.dst) port \(p.dstPort)/\(proto)", p, u, flows)
        a.details = [Alert.Detail("watched_port", .int(Int(p.dstPort)))]
        raise(key, a, first: time)
    }

    func invalidFlags(_ p: inout DecodedPacket, _ u: FlowTable.Update, _ flows: FlowTable, time: Double) {
        let f = p.tcp.flags
        let combination = f.rawValue & 0x3F == 0 ? "no flags" : [(TCPFlags.syn, "SYN"), (.fin, "FIN"), (.rst, "RST")].filter { f.contains($0.0) }.map(\.1).joined(separator: "+")
        if incidents.isOpen(.invalidFlags(p.src)) {
            incidents.touch(.invalidFlags(p.src), time: time) { _ in }
            return
        }
        if var r = invalid[p.src] {
            r.packets += 1
            r.last = time
            r.combinations.insert(combination)
            invalid[p.src] = r
            return
        }
        guard invalid.count < 4096 else { return }
        let a = alert(.invalidFlags, "Potentially Bad Traffic", severity: 2, time: time,
                      reason: "\(p.src) sent TCP packets with impossible flags (\(combination)) to \(p.dst)", p, u, flows)
        invalid[p.src] = InvalidFlagsRecord(first: time, last: time, packets: 1, combinations: [combination], alert: a)
    }

    /// Raises the invalid-flag findings held for two seconds, unless their source turned out to
    /// be scanning (then the scan alert says it all).
    ///
    /// Sources in address order, not the dictionary's (seeded per process): the same capture
    /// gives its alerts in the same order, and the same ones when the rate limit bites.
    func raisePendingFlags(now: Double, final: Bool) {
        guard !invalid.isEmpty else { return }
        for source in invalid.keys.sorted() {
            guard let r = invalid[source], final || now - r.first >= 2 else { continue }
            invalid[source] = nil
            if incidents.isOpen(.scan(source)) { continue }
            var a = r.alert
            a.time = max(a.time, r.first)
            a.details = [Alert.Detail("flags", .texts(r.combinations.sorted())), Alert.Detail("packets", .int(r.packets)),
                         Alert.Detail("first_seen", .time(r.first)), Alert.Detail("last_seen", .time(r.last))]
            raise(.invalidFlags(source), a, first: r.first)
        }
    }
}
