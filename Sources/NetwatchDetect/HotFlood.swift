import NetwatchDecode

/// The host SYNed last and its flood window, kept apart from the detector's dictionary of
/// windows so that a flood on one host costs no hashing (see `ThreatDetector.countSYN`).
struct HotFlood {
    var window = FloodWindow(start: 0, source: .none)
    var victim = IPAddress.none
    /// False until a SYN is counted, and while the window is back in the dictionary.
    var present = false
}
