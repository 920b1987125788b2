import NetwatchDecode

/// SYNs to one host in the current window, how many completed a handshake, and from how many
/// sources (counted once the SYNs are many enough to matter).
struct FloodWindow {
    var start: Double
    var last: Double
    var syns = 0
    var completed = 0
    var port: UInt16 = 0
    var firstSource = IPAddress.none
    var oneSource = true
    var sources: DistinctCounter?
    var totalSYNs = 0
    /// Handshakes completed over the whole flood (`completed` restarts with each window).
    var totalCompleted = 0
    var peakRate = 0.0
    /// An incident is open for this host: its SYNs skip the per-source trackers.
    var flooding = false

    mutating func handshakeCompleted() {
        completed += 1
        totalCompleted += 1
    }

    init(start: Double, source: IPAddress) {
        self.start = start
        last = start
        firstSource = source
    }
}
