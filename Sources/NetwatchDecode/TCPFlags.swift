/// The TCP flag bits (RFC 9293, plus ECE/CWR from RFC 3168 and the AE bit).
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    public static let ae = TCPFlags(rawValue: 0x100)

    /// Letters in the order tcpdump prints them, with "." for ACK: `S.`, `P.`, `F.`, `R`.
    public var tcpdumpLetters: String {
        var s = ""
        if contains(.syn) { s += "S" }
        if contains(.fin) { s += "F" }
        if contains(.psh) { s += "P" }
        if contains(.rst) { s += "R" }
        if contains(.urg) { s += "U" }
        if contains(.ece) { s += "E" }
        if contains(.cwr) { s += "W" }
        if contains(.ack) { s += "." }
        return s.isEmpty ? "none" : s
    }
}
