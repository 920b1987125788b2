/// Attempts per probe kind, small and fixed (no allocation).
struct ProbeCounts: Sendable {
    private var counts: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)

    mutating func add(_ kind: ProbeKind) {
        withUnsafeMutableBytes(of: &counts) { $0.storeBytes(of: $0.load(fromByteOffset: kind.rawValue * 4, as: UInt32.self) &+ 1, toByteOffset: kind.rawValue * 4, as: UInt32.self) }
    }

    func count(_ kind: ProbeKind) -> Int {
        withUnsafeBytes(of: counts) { Int($0.load(fromByteOffset: kind.rawValue * 4, as: UInt32.self)) }
    }

    /// The kind most attempts were, for naming the scan.
    var dominant: ProbeKind? {
        var best: ProbeKind?
        var most = 0
        for k in ProbeKind.allCases where count(k) > most {
            most = count(k)
            best = k
        }
        return best
    }
}
