import NetwatchDecode
import NetwatchGeo

/// GeoIP answers as text: `US | AS13335 Cloudflare, Inc.` on a terminal, and JSON lines.
public enum GeoText {
    /// `1.1.1.1  AU  AS13335 Cloudflare, Inc.`; `unknown` when no database covers it.
    public static func line(_ address: IPAddress, _ info: GeoInfo) -> String {
        "\(address)  " + (info.isEmpty ? "unknown" : "\(info.country?.description ?? "--")  \(network(info) ?? "-")")
    }

    /// `AS13335 Cloudflare, Inc.`, control characters escaped; nil when unknown.
    public static func network(_ info: GeoInfo) -> String? {
        switch (info.asn, info.organization) {
        case let (asn?, org?): return "AS\(asn) \(TerminalText.safe(org))"
        case let (asn?, nil): return "AS\(asn)"
        case let (nil, org?): return TerminalText.safe(org)
        default: return nil
        }
    }

    public static func json(_ address: IPAddress, _ info: GeoInfo) -> String {
        "{\"ip\": \"\(address)\", \"country\": \(info.country.map { "\"\($0)\"" } ?? "null"), \"asn\": \(info.asn.map(String.init) ?? "null"), \"org\": \(info.organization.map { JSONText.string($0) } ?? "null")}"
    }
}
