import NetwatchDecode

/// SYN floods: per destination, SYNs in a window against completed handshakes.
extension ThreatDetector {
    /// Counts a SYN; returns true while its destination is under a flood. The host last
    /// SYNed is kept out of the dictionary, so a flood on one host costs no hashing.
    @inline(__always)
    func countSYN(_ p: inout DecodedPacket, time: Double) -> Bool {
        if p.dst != hot.pointee.victim || !hot.pointee.present { switchHot(to: p.dst, source: p.src, time: time) }
        let flooding = hot.pointee.window.add(p, time: time)
        // Judged at once when the window's count is reached, not at the next tick.
        if hot.pointee.window.syns == floodThreshold && !flooding { judgeFloods(now: time, final: false, only: p.dst) }
        return hot.pointee.window.flooding
    }

    private func switchHot(to victim: IPAddress, source: IPAddress, time: Double) {
        if hot.pointee.present { floods[hot.pointee.victim] = hot.pointee.window }
        if let w = floods.removeValue(forKey: victim) {
            hot.pointee.window = w
        } else {
            if floods.count >= config.maxTracked / 16 { pruneFloods(now: time) }
            hot.pointee.window = FloodWindow(start: time, source: source)
        }
        hot.pointee.victim = victim
        hot.pointee.present = true
    }

    /// Puts the hot host back among the others (before judging or pruning them all).
    private func storeHot() {
        guard hot.pointee.present else { return }
        floods[hot.pointee.victim] = hot.pointee.window
        hot.pointee.present = false
    }

    func pruneFloods(now: Double) {
        let window = config.synFlood.window
        floods = floods.filter { $0.value.flooding || now - $0.value.last <= 2 * window }
        if floods.count >= config.maxTracked / 16 {
            let cut = floods.values.map(\.last).sorted()[floods.count / 2]
            floods = floods.filter { $0.value.flooding || $0.value.last > cut }
        }
    }

    /// Judges each destination's window: a flood when its SYNs reach `rate × window` and too
    /// few of them completed. Windows restart every `window` seconds.
    func judgeFloods(now: Double, final: Bool, only: IPAddress? = nil) {
        guard config.synFlood.enabled else { return }
        storeHot()
        defer {
            if let only, let w = floods.removeValue(forKey: only) {
                hot.pointee.window = w
                hot.pointee.victim = only
                hot.pointee.present = true
            }
        }
        let cfg = config.synFlood
        let threshold = floodThreshold
        // In address order, not the dictionary's (seeded per process): see `raisePendingFlags`.
        let victims = only.map { [$0] } ?? floods.keys.sorted()
        for victim in victims {
            guard var w = floods[victim] else { continue }
            let elapsed = now - w.start
            // One source that is port-scanning the host is the scan, not a flood.
            let scanner = w.oneSource && incidents.isOpen(.scan(w.firstSource))
            if !scanner && w.syns >= threshold && Double(w.completed) < Double(w.syns) * cfg.completedRatio {
                if !w.flooding && !incidents.mayStart(.flood(victim), time: now) { continue }
                let rate = Double(w.syns) / max(elapsed, min(cfg.window, max(w.last - w.start, 0.001)))
                w.peakRate = max(w.peakRate, rate)
                let sources = w.oneSource ? 1 : (w.sources?.estimate ?? 0)
                if !w.flooding {
                    w.flooding = true
                    raiseFlood(victim, w, rate: rate, sources: sources, time: now)
                } else {
                    incidents.touch(.flood(victim), time: now) { i in
                        i.latest = Self.floodDetails(w, rate: w.peakRate, sources: sources, cfg: cfg)
                    }
                }
            } else if w.flooding && elapsed >= cfg.window && !incidents.isOpen(.flood(victim)) {
                w.flooding = false
            }
            if elapsed >= cfg.window && !final && only == nil {
                // A new window; the source count runs on while the flood lasts.
                w.start = now
                w.syns = 0
                w.completed = 0
                if !w.flooding {
                    w.sources = nil
                    w.oneSource = true
                }
            }
            floods[victim] = w
        }
    }

    private func raiseFlood(_ victim: IPAddress, _ w: FloodWindow, rate: Double, sources: Int, time: Double) {
        let cfg = config.synFlood
        let from = w.oneSource ? "from \(w.firstSource)" : "from about \(sources) sources"
        var a = Alert(time: time, signature: .synFlood, category: "Attempted Denial of Service", severity: 1,
                      reason: "SYN flood on \(victim) port \(w.port): \(Int(rate)) SYNs/s \(from), \(w.completed) of \(w.syns) completed a handshake")
        a.transport = "tcp"
        a.destinationAddress = victim
        a.destinationPort = w.port
        if w.oneSource { a.sourceAddress = w.firstSource }
        a.details = Self.floodDetails(w, rate: rate, sources: sources, cfg: cfg)
        a.details.append(Alert.Detail("first_seen", .time(w.start)))
        raise(.flood(victim), a, first: w.start)
    }

    static func floodDetails(_ w: FloodWindow, rate: Double, sources: Int, cfg: DetectionConfig.SYNFlood) -> [Alert.Detail] {
        [
            Alert.Detail("syn_rate", .int(Int(rate))),
            Alert.Detail("syns", .int(w.totalSYNs)),
            Alert.Detail("completed", .int(w.totalCompleted)),
            Alert.Detail("half_open", .int(max(0, w.totalSYNs - w.totalCompleted))),
            // An estimate of distinct sources cannot exceed the SYNs they sent.
            Alert.Detail("distinct_sources", .int(min(sources, w.totalSYNs))),
            Alert.Detail("window", .number(cfg.window)),
        ]
    }
}

extension FloodWindow {
    @inline(__always)
    mutating func add(_ p: DecodedPacket, time: Double) -> Bool {
        syns += 1
        totalSYNs += 1
        last = time
        port = p.dstPort
        if oneSource && p.src != firstSource {
            // A second source: from now on they are counted (1 KB; at most maxTracked/16 hosts).
            oneSource = false
            sources = DistinctCounter()
            sources?.add(firstSource)
        }
        if !oneSource { sources?.add(p.src) }
        return flooding
    }
}
