/// The tunnels and shims a packet passed through on the way to its innermost packet,
/// outermost first (Zeek's encapsulation stack, without allocating: at most `maxDepth`).
///
/// A tunnel (GRE, VXLAN, Geneve, GTP-U, Teredo, IP in IP) rides on an outer IP packet that is
/// a flow of its own; a shim (MPLS, PPPoE, ERSPAN, E-tag, VN-tag) sits between a link header
/// and what it carries. `context` names the tunnels the packet came through, so two tenants'
/// identical inner flows stay apart in the flow table.
public struct Encapsulation: Sendable {
    /// Deeper nesting is reported (`DecodeIssue.Kind.tooDeep`) and decoded no further.
    public static let maxDepth = 8

    public var count: UInt8 = 0
    /// How many of them are tunnels, each with an outer flow.
    public var tunnels: UInt8 = 0
    /// A hash of each tunnel's outer addresses (either order) and symmetric identifier
    /// (VXLAN/Geneve VNI, GRE key); 0 outside any tunnel.
    public var context: UInt32 = 0
    /// Kinds, one byte each, the outermost in the low byte.
    @usableFromInline var kinds: UInt64 = 0
    @usableFromInline var ids: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline var offsets: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)

    @inlinable public init() {}

    @inlinable public var isEmpty: Bool { count == 0 }

    /// One layer: what it is, its identifier (label, VNI, key, TEID, session) and where its
    /// header starts in the captured bytes.
    public struct Entry: Sendable, Equatable {
        public var kind: EncapsulationKind
        public var id: UInt32
        public var offset: Int
    }

    public subscript(_ i: Int) -> Entry {
        precondition(i >= 0 && i < Int(count))
        let kind = EncapsulationKind(rawValue: UInt8(truncatingIfNeeded: kinds >> (UInt64(i) * 8))) ?? .gre
        let id = withUnsafeBytes(of: ids) { $0.load(fromByteOffset: i * 4, as: UInt32.self) }
        let offset = withUnsafeBytes(of: offsets) { $0.load(fromByteOffset: i * 2, as: UInt16.self) }
        return Entry(kind: kind, id: id, offset: Int(offset))
    }

    public var entries: [Entry] { (0..<Int(count)).map { self[$0] } }

    /// The innermost entry, if any.
    public var innermost: Entry? { count > 0 ? self[Int(count) - 1] : nil }

    /// Adds a layer; the caller has checked there is room.
    mutating func append(_ kind: EncapsulationKind, id: UInt32, offset: Int) {
        let i = Int(count)
        kinds |= UInt64(kind.rawValue) << (UInt64(i) * 8)
        withUnsafeMutableBytes(of: &ids) { $0.storeBytes(of: id, toByteOffset: i * 4, as: UInt32.self) }
        withUnsafeMutableBytes(of: &offsets) { $0.storeBytes(of: UInt16(clamping: offset), toByteOffset: i * 2, as: UInt16.self) }
        count += 1
        if kind.isTunnel { tunnels += 1 }
    }

    /// Folds a tunnel's outer endpoints (in either order) and identifier into `context`.
    mutating func enter(_ kind: EncapsulationKind, between a: IPAddress, and b: IPAddress, id: UInt32) {
        let (low, high) = a < b ? (a, b) : (b, a)
        var h = UInt64(context) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(kind.rawValue) << 32 ^ UInt64(id)
        h = Self.mix(h, low.high)
        h = Self.mix(h, low.low)
        h = Self.mix(h, high.high)
        h = Self.mix(h, high.low)
        // Never 0: that is "in no tunnel".
        context = UInt32(truncatingIfNeeded: h) | 1
    }

    private static func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
        let m = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
        return m ^ m >> 33
    }
}

/// The encapsulations netwatch decodes, by the names tshark and Zeek give them.
public enum EncapsulationKind: UInt8, Sendable, CaseIterable {
    case mpls = 1, pppoe, etag, vntag, erspan, gre, vxlan, geneve, gtp, teredo, ip4in4, ip6in4, ip4in6, ip6in6

    /// Carried by an outer IP packet that is a flow of its own.
    public var isTunnel: Bool {
        switch self {
        case .mpls, .pppoe, .etag, .vntag, .erspan: return false
        default: return true
        }
    }

    public var name: String {
        switch self {
        case .mpls: return "mpls"
        case .pppoe: return "pppoe"
        case .etag: return "etag"
        case .vntag: return "vntag"
        case .erspan: return "erspan"
        case .gre: return "gre"
        case .vxlan: return "vxlan"
        case .geneve: return "geneve"
        case .gtp: return "gtpu"
        case .teredo: return "teredo"
        case .ip4in4: return "ipip"
        case .ip6in4: return "6in4"
        case .ip4in6: return "4in6"
        case .ip6in6: return "6in6"
        }
    }

    /// The identifier's name, where the layer has one worth showing.
    public var idName: String? {
        switch self {
        case .mpls: return "label"
        case .pppoe: return "session"
        case .etag: return "E-CID"
        case .vntag: return "vif"
        case .erspan: return "span"
        case .gre: return "key"
        case .vxlan, .geneve: return "vni"
        case .gtp: return "teid"
        default: return nil
        }
    }

    /// The decode layer a problem in this header is reported at.
    public var layer: Layer {
        switch self {
        case .mpls: return .mpls
        case .pppoe: return .pppoe
        case .etag: return .etag
        case .vntag: return .vntag
        case .erspan: return .erspan
        case .gre: return .gre
        case .vxlan: return .vxlan
        case .geneve: return .geneve
        case .gtp: return .gtp
        case .teredo: return .teredo
        case .ip4in4, .ip4in6: return .ipv4
        case .ip6in4, .ip6in6: return .ipv6
        }
    }
}
