/// A capture's link-layer header type: LINKTYPE_* in files, DLT_* from a live handle
/// (the two differ only for raw IP, which is mapped on the way in).
public struct LinkType: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
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
    @inlinable public static var ppp: LinkType { LinkType(rawValue: 9) }
    @inlinable public static var pppHDLC: LinkType { LinkType(rawValue: 50) }
    @inlinable public static var ciscoHDLC: LinkType { LinkType(rawValue: 104) }
    @inlinable public static var ieee80211: LinkType { LinkType(rawValue: 105) }
    @inlinable public static var ieee80211Radiotap: LinkType { LinkType(rawValue: 127) }
    @inlinable public static var pppWithDirection: LinkType { LinkType(rawValue: 204) }
    @inlinable public static var nflog: LinkType { LinkType(rawValue: 239) }
    @inlinable public static var ipOverInfiniBand: LinkType { LinkType(rawValue: 242) }

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
        default: return LinkType.otherNames[rawValue] ?? "LINKTYPE_\(rawValue)"
        }
    }

    /// libpcap's names (pcap-linktype(7)) of link types seen in the wild that netwatch reads
    /// past or names when it does not decode them.
    static let otherNames: [UInt32: String] = [
        6: "IEEE802_5", 8: "SLIP", 9: "PPP", 10: "FDDI", 50: "PPP_HDLC", 51: "PPP_ETHER", 104: "C_HDLC",
        105: "IEEE802_11", 119: "IEEE802_11_PRISM", 127: "IEEE802_11_RADIO", 143: "DOCSIS", 147: "USER0",
        163: "IEEE802_11_AVS", 166: "PPP_PPPD", 187: "BLUETOOTH_HCI_H4", 189: "USB_LINUX", 192: "PPI",
        195: "IEEE802_15_4", 201: "BLUETOOTH_HCI_H4_WITH_PHDR", 204: "PPP_WITH_DIR", 215: "IEEE802_15_4_NONASK_PHY",
        220: "USB_LINUX_MMAPPED", 227: "CAN_SOCKETCAN", 239: "NFLOG", 240: "NETANALYZER", 242: "IPOIB", 249: "NETLINK",
        253: "LINUX_LAPD", 263: "USBPCAP", 270: "LINUX_SLL2_OLD", 278: "VSOCK", 281: "DSA_TAG_BRCM",
    ]

    /// `NFLOG (239)`: the name and number, for messages about packets netwatch does not decode.
    public var description: String { "\(name) (\(rawValue))" }

    public var isSupported: Bool {
        switch self {
        case .null, .ethernet, .raw, .loop, .linuxSLL, .ipv4, .ipv6, .linuxSLL2, .ppp, .pppHDLC, .ciscoHDLC, .ieee80211,
             .ieee80211Radiotap, .pppWithDirection, .nflog, .ipOverInfiniBand: return true
        default: return false
        }
    }
}
