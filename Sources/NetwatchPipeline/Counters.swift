import NetwatchDecode

/// Totals of one run: packets and bytes that passed the filter, and malformed packets by
/// reason and layer, in a fixed table so counting never allocates.
public struct Counters {
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    /// `allCases` builds an array on each use: count it once.
    private static let layers = Layer.allCases.count
    private var byIssue = [UInt64](repeating: 0, count: DecodeIssue.Kind.allCases.count * Counters.layers)

    /// The link type of the packets not decoded (the last one seen).
    public var undecodedLinkType: LinkType?

    @inline(__always)
    mutating func count(_ issue: DecodeIssue, linkType: LinkType) {
        byIssue[Int(issue.kind.rawValue) * Counters.layers + Int(issue.layer.rawValue)] &+= 1
        if issue.kind == .unsupported { undecodedLinkType = linkType }
    }

    /// Packets that break their protocol's rules or are cut short.
    public var malformed: UInt64 { issues.reduce(0) { $0 + $1.count } }

    /// Packets of a link type netwatch does not decode (counted apart from malformed ones).
    public var undecoded: UInt64 { byIssue[Int(DecodeIssue.Kind.unsupported.rawValue) * Counters.layers + Int(Layer.link.rawValue)] }

    /// Non-zero counts of malformed packets, most serious kind first.
    public var issues: [(issue: DecodeIssue, count: UInt64)] {
        var result: [(DecodeIssue, UInt64)] = []
        for kind in DecodeIssue.Kind.allCases where kind != .unsupported {
            for layer in Layer.allCases {
                let n = byIssue[Int(kind.rawValue) * Counters.layers + Int(layer.rawValue)]
                if n > 0 { result.append((DecodeIssue(layer, kind), n)) }
            }
        }
        return result
    }
}
