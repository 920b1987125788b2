/// The report's sections, in their default order (`--sections` picks and orders them).
public enum ReportSection: String, CaseIterable, Sendable {
    case summary, traffic, protocols, talkers, ports, outcomes, alerts, processes, geography, newhosts

    public var title: String {
        switch self {
        case .summary: "Summary"
        case .traffic: "Traffic over time"
        case .protocols: "Protocols and services"
        case .talkers: "Top talkers"
        case .ports: "Top ports and conversations"
        case .outcomes: "Connection outcomes"
        case .alerts: "Alerts"
        case .processes: "Processes"
        case .geography: "Countries and networks"
        case .newhosts: "New remote hosts and activity"
        }
    }
}
