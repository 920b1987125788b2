import NetwatchDecode

/// A counter key with a smaller form for its common case: an IPv4 address in 4 bytes, a pair
/// of them in 8. `SplitCounter` counts such keys in that form.
public protocol CompactKey: SeededHashable, BitwiseCopyable, Comparable {
    associatedtype Compact: SeededHashable, BitwiseCopyable, Comparable
    /// The compact form, nil when the key has none. Order is kept: two keys that both have one
    /// compare as their compact forms do.
    var compact: Compact? { get }
    init(compact: Compact)
}

extension IPAddress: CompactKey {
    @inlinable public var compact: UInt32? { isIPv6 ? nil : ipv4 }
    @inlinable public init(compact: UInt32) { self.init(ipv4: compact) }
}
