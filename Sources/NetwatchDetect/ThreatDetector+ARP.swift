import NetwatchDecode

/// ARP: address bindings that change (spoofing, conflicts) and who-has sweeps.
extension ThreatDetector {
    func arp(_ p: DecodedPacket, time: Double) {
        let sender = p.arp.senderIP
        let target = p.arp.targetIP
        let op = p.arp.operation
        guard sender != IPAddress.none else { return }  // probes (RFC 5227) claim nothing
        if config.arpSpoofing.enabled {
            if op == 1 {
                if arpAsked.count >= config.maxTracked { arpAsked.removeAll(keepingCapacity: true) }
                arpAsked[PairKey(source: sender, target: target)] = time
            }
            // A reply nobody asked for, sent to one host: how ARP caches are poisoned.
            var unsolicited = false
            if op == 2 && target != sender && target != IPAddress.none {
                let asked = arpAsked[PairKey(source: target, target: sender)]
                unsolicited = asked.map { time - $0 > 5 } ?? true
            }
            bind(sender, p.arp.senderMAC, p, time: time)
            claim(p.arp.senderMAC, sender, unsolicited: unsolicited, p, time: time)
            // A reply's target is the asker's own binding: a forged reply contradicts it.
            if op == 2 && target != IPAddress.none { bind(target, p.arp.targetMAC, p, time: time) }
        }
        guard config.pingSweep.enabled else { return }
        if op == 2 {
            arpProbes.answer(target, sender)
            return
        }
        guard op == 1, target != sender else { return }  // gratuitous announcements probe nothing
        let e = arpProbes.probe(sender, target, kind: nil, time: time)
        if incidents.isOpen(.sweep(sender)) {
            incidents.touch(.sweep(sender), time: time) { i in
                if i.targets.count < 65_536 { i.targets.insert(target) }
                i.latest = [Alert.Detail("hosts", .int(max(e.distinct, i.targets.count)))]
            }
            return
        }
        guard e.failed >= config.pingSweep.hosts else { return }
        let hosts = (e.single.map { [$0] } ?? Array(e.items)).sorted()
        var a = Alert(time: time, signature: .pingSweep, category: "Detection of a Network Scan", severity: 3,
                      reason: "\(sender) (\(p.arp.senderMAC)) asked ARP who-has for \(e.distinct) addresses in \(IncidentBook.seconds(time - e.first)), \(e.failed) unanswered")
        a.transport = "arp"
        a.sourceAddress = sender
        a.details = [
            Alert.Detail("method", .text("ARP")),
            Alert.Detail("source_mac", .text("\(p.arp.senderMAC)")),
            Alert.Detail("hosts", .int(e.distinct)),
            Alert.Detail("hosts_failed", .int(e.failed)),
            Alert.Detail("sample_hosts", .texts(hosts.prefix(10).map { "\($0)" })),
            Alert.Detail("first_seen", .time(e.first)),
            Alert.Detail("last_seen", .time(time)),
        ]
        raise(.sweep(sender), a, first: e.first)
        incidents.touch(.sweep(sender), time: time) { i in
            for h in hosts { i.targets.insert(h) }
        }
    }

    /// One MAC address claiming a second IP address within the window, one claim an unsolicited reply: a host answering for
    /// another (the gateway, usually) so its traffic comes to it.
    private func claim(_ mac: MACAddress, _ ip: IPAddress, unsolicited: Bool, _ p: DecodedPacket, time: Double) {
        guard mac != .zero && mac != .broadcast else { return }
        // Hosts with several addresses answer for each when asked; a spoofer's claim comes in
        // a reply nobody asked for, at least once.
        let isReply = unsolicited
        if let (other, when, replied) = arpClaims[mac.value], other != ip, replied || isReply, time - when <= config.pingSweep.window {
            spoofing(ip: ip, by: mac, p, time: time,
                     reason: "\(mac) claims both \(other) and \(ip) (ARP \(p.arp.operation == 2 ? "reply" : "request")): ARP spoofing",
                     details: [Alert.Detail("ip", .text("\(ip)")), Alert.Detail("other_ip", .text("\(other)")), Alert.Detail("sender_mac", .text("\(mac)"))])
        }
        if arpClaims.count >= config.maxTracked { arpClaims.removeAll(keepingCapacity: true) }
        arpClaims[mac.value] = (ip, time, isReply)
    }

    private func bind(_ ip: IPAddress, _ mac: MACAddress, _ p: DecodedPacket, time: Double) {
        guard mac != .zero && mac != .broadcast else { return }
        if let old = arpBindings[ip], old != mac {
            spoofing(ip: ip, by: p.arp.senderMAC, p, time: time,
                     reason: "\(ip) moved from \(old) to \(mac) (ARP \(p.arp.operation == 2 ? "reply" : "request") from \(p.arp.senderMAC)): ARP spoofing or an address conflict",
                     details: [Alert.Detail("ip", .text("\(ip)")), Alert.Detail("old_mac", .text("\(old)")), Alert.Detail("new_mac", .text("\(mac)")),
                               Alert.Detail("sender_mac", .text("\(p.arp.senderMAC)"))])
        }
        if arpBindings.count >= config.maxTracked { arpBindings.removeAll(keepingCapacity: true) }
        arpBindings[ip] = mac
    }

    /// One incident per MAC address making false claims.
    private func spoofing(ip: IPAddress, by mac: MACAddress, _ p: DecodedPacket, time: Double, reason: String, details: [Alert.Detail]) {
        // One incident per spoofer, and per spoofed address: whichever is already open takes it.
        var key = IncidentBook.Key.arpSpoofing(mac.value)
        if let earlier = arpIncidentOf[ip], incidents.isOpen(.arpSpoofing(earlier)) { key = .arpSpoofing(earlier) }
        if incidents.isOpen(key) {
            incidents.touch(key, time: time) { i in i.targets.insert(ip) }
            return
        }
        if arpIncidentOf.count >= config.maxTracked { arpIncidentOf.removeAll(keepingCapacity: true) }
        arpIncidentOf[ip] = mac.value
        var a = Alert(time: time, signature: .arpSpoofing, category: "Potentially Bad Traffic", severity: 1, reason: reason)
        a.transport = "arp"
        a.sourceAddress = p.arp.senderIP
        a.destinationAddress = p.arp.targetIP
        a.details = details + [Alert.Detail("arp_operation", .text(p.arp.operation == 2 ? "reply" : "request"))]
        raise(key, a, first: time)
        incidents.touch(key, time: time) { i in
            i.targets.insert(ip)
        }
    }
}
