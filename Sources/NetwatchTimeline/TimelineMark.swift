/// What one column of a host's row says about that time unit. When several things happen in
/// one unit the strongest shows: a new connection over a close over activity.
public enum TimelineMark: UInt8, Sendable, Comparable, CaseIterable {
    case idle = 0
    /// A connection attempt not answered yet (SYN sent or received).
    case listening = 1
    case active = 2
    case closed = 3
    case new = 4

    public static func < (a: TimelineMark, b: TimelineMark) -> Bool { a.rawValue < b.rawValue }

    public var symbol: String {
        switch self {
        case .idle: "·"
        case .listening: "○"
        case .active: "■"
        case .closed: "×"
        case .new: "▲"
        }
    }
}
