/// What became of a connection, from its Zeek conn_state: the five rows of the outcomes chart.
public enum ConnOutcome: Int, CaseIterable, Sendable {
    case completed, rejected, unanswered, reset, other

    public init(connState: String) {
        switch connState {
        case "SF", "S1", "S2", "S3": self = .completed
        case "REJ": self = .rejected
        case "S0", "SH", "SHR": self = .unanswered
        case "RSTO", "RSTR", "RSTOS0", "RSTRH": self = .reset
        default: self = .other
        }
    }

    public var name: String {
        switch self {
        case .completed: "completed (SF, S1-S3)"
        case .rejected: "rejected (REJ)"
        case .unanswered: "unanswered (S0, SH, SHR)"
        case .reset: "reset (RST*)"
        case .other: "other (OTH)"
        }
    }
}
