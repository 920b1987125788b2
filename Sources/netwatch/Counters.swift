import NetwatchDecode

/// Totals of one run: packets and bytes that passed the filter, and malformed packets by
/// reason and layer, in a fixed table so counting never allocates.
struct Counters {
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    /// `allCases` builds an array on each use: count it once.
    private static let layers = Layer.allCases.count
    private var byIssue = [UInt64](repeating: 0, count: DecodeIssue.Kind.allCases.count * Counters.layers)

    @inline(__always)
    mutating func count(_ issue: DecodeIssue) {
        byIssue[Int(issue.kind.rawValue) * Counters.layers + Int(issue.layer.rawValue)] &+= 1
    }

    var malformed: UInt64 { byIssue.reduce(0, +) }

    /// Non-zero counts, most serious kind first.
    var issues: [(issue: DecodeIssue, count: UInt64)] {
        var result: [(DecodeIssue, UInt64)] = []
        for kind in DecodeIssue.Kind.allCases {
            for layer in Layer.allCases {
                let n = byIssue[Int(kind.rawValue) * Counters.layers + Int(layer.rawValue)]
                if n > 0 { result.append((DecodeIssue(layer, kind), n)) }
            }
        }
        return result
    }
}
