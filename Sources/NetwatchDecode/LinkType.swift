/// A capture's link-layer header type: LINKTYPE_* in files, DLT_* from a live handle
/// (the two differ only for raw IP, which is mapped on the way in).
public struct LinkType: Hashable, Sendable, RawRepresentable {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    // Computed, not stored: a stored static is reached through an accessor call and a
    // once-check on every packet that compares link types.
    @inlinable public static var null: LinkType { LinkType(rawValue: 0) }  // BSD loopback, host byte order family
    @inlinable public static var ethernet: LinkType { LinkType(rawValue: 1) }
    @inlinable public static var raw: LinkType { LinkType(rawValue: 101) }  // LINKTYPE_RAW (DLT_RAW is 12 or 14)
    @inlinable public static var loop: LinkType { LinkType(rawValue: 108) }  // OpenBSD loopback, network byte order family
    @inlinable public static var linuxSLL: LinkType { LinkType(rawValue: 113) }
    @inlinable public static var ipv4: LinkType { LinkType(rawValue: 228) }
    @inlinable public static var ipv6: LinkType { LinkType(rawValue: 229) }
    @inlinable public static var linuxSLL2: LinkType { LinkType(rawValue: 276) }

    /// Maps a libpcap DLT value to the LINKTYPE value files use.
    public init(dlt: Int32) {
        switch dlt {
        case 12, 14: self = .raw
        default: self.init(rawValue: UInt32(bitPattern: dlt))
        }
    }

    public var name: String {
        switch self {
        case .null: return "NULL"
        case .ethernet: return "EN10MB"
        case .raw: return "RAW"
        case .loop: return "LOOP"
        case .linuxSLL: return "LINUX_SLL"
        case .ipv4: return "IPV4"
        case .ipv6: return "IPV6"
        case .linuxSLL2: return "LINUX_SLL2"
        case LinkType(rawValue: 105): return "IEEE802_11"
        case LinkType(rawValue: 127): return "IEEE802_11_RADIO"
        default: return "LINKTYPE_\(rawValue)"
        }
    }

    public var isSupported: Bool {
        switch self {
        case .null, .ethernet, .raw, .loop, .linuxSLL, .ipv4, .ipv6, .linuxSLL2: return true
        default: return false
        }
    }
}
