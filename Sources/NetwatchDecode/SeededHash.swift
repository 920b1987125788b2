#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast keyed hash for the per-packet tables (flows, counters): multiply–xorshift rounds over
/// 64-bit words, keyed with a random seed per process. Swift's `Hasher` (SipHash) is the strong
/// choice but cost a quarter of the pipeline; a per-process random key still keeps crafted
/// addresses from aiming at one bucket, which is what the tables need.
public struct SeededHash {
    /// Random per process; `NETWATCH_HASH_SEED` (a number) fixes it, so that two runs, or two
    /// builds, place keys alike and give the same bounded top lists under a flood.
    public static let seed: UInt64 = {
        if let text = getenv("NETWATCH_HASH_SEED") {
            if let fixed = UInt64(String(cString: text)) { return fixed | 1 }
            let warning = "netwatch: warning: NETWATCH_HASH_SEED is not a number from 0 to 2^64-1; using a random key\n"
            _ = warning.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        }
        var generator = SystemRandomNumberGenerator()
        return generator.next() | 1
    }()

    @usableFromInline var state: UInt64

    @inlinable public init() { state = SeededHash.seed }

    /// A hasher from a copy of `seed` held by the caller: the per-packet tables keep one, so
    /// the hot path does not go through the global's lazy initialisation check.
    @inlinable public init(seed: UInt64) { state = seed }

    @inlinable @inline(__always)
    public mutating func add(_ word: UInt64) {
        state = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
        state ^= state >> 32
    }

    @inlinable @inline(__always)
    public var value: UInt64 {
        var h = state
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }
}

/// Keys that feed a `SeededHash`.
public protocol SeededHashable: Hashable {
    func hash(into h: inout SeededHash)
}

extension UInt32: SeededHashable {
    @inlinable @inline(__always)
    public func hash(into h: inout SeededHash) { h.add(UInt64(self)) }
}

extension UInt64: SeededHashable {
    @inlinable @inline(__always)
    public func hash(into h: inout SeededHash) { h.add(self) }
}

extension IPAddress: SeededHashable {
    /// One round for IPv4 (the address is all in `low`), two for IPv6.
    @inlinable @inline(__always)
    public func hash(into h: inout SeededHash) {
        if isIPv6 {
            h.add(high)
            h.add(low ^ 0x8000_0000_0000_0000)
        } else {
            h.add(low)
        }
    }

    /// Two addresses in one round when both are IPv4 (32 bits each fill one word): the
    /// tables' keys hash with a shorter chain of multiplies ahead of their lookup.
    @inlinable @inline(__always)
    public static func hash(_ a: IPAddress, _ b: IPAddress, into h: inout SeededHash) {
        if a.isIPv6 || b.isIPv6 {
            a.hash(into: &h)
            b.hash(into: &h)
        } else {
            h.add(a.low << 32 | b.low)
        }
    }
}
