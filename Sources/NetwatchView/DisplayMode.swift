/// How each packet is shown on standard output.
public enum DisplayMode: String, CaseIterable, Sendable {
    /// One line: time, protocol, addresses, ports and service, flags, length.
    case compact
    /// The compact line plus header fields, DNS content and a payload hex preview.
    case detailed
    /// Time, protocol, source and destination.
    case minimal
    /// One JSON object per line (Suricata EVE field names where they exist).
    case json
}
