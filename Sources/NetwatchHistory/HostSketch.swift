import Foundation
import NetwatchDecode

/// How many distinct addresses a minute (or an hour, or a range) saw, in at most 4 KB:
/// exact while there are at most 512 (their 64-bit hashes), then HyperLogLog with 4,096
/// registers (within about 2%). Sketches merge, so a range's count is the merge of its
/// minutes' and hours' rows (`host_sketch`), not a scan of the host index; and the report of
/// a capture, made with the same sketch, counts the same.
public struct HostSketch: Sendable, Equatable {
    static let registerCount = 4096
    static let sparseLimit = 512
    private var hashes: Set<UInt64>? = []
    private var registers: [UInt8] = []

    public init() {}

    public var isEmpty: Bool { hashes?.isEmpty ?? false }

    /// Whether the count is exact (few enough addresses to keep each).
    public var isExact: Bool { hashes != nil }

    public mutating func add(_ address: IPAddress) {
        add(hash: Self.hash(address))
    }

    mutating func add(hash x: UInt64) {
        if hashes != nil {
            hashes!.insert(x)
            if hashes!.count > Self.sparseLimit { densify() }
            return
        }
        Self.set(&registers, x)
    }

    private mutating func densify() {
        registers = [UInt8](repeating: 0, count: Self.registerCount)
        for x in hashes ?? [] { Self.set(&registers, x) }
        hashes = nil
    }

    @inline(__always)
    static func set(_ registers: inout [UInt8], _ x: UInt64) {
        let index = Int(truncatingIfNeeded: x) & (registerCount - 1)
        let rank = UInt8(min(52, (x >> 12).leadingZeroBitCount - 11))
        if registers[index] < rank { registers[index] = rank }
    }

    /// splitmix64 over the address: sequential and random addresses spread alike.
    static func hash(_ a: IPAddress) -> UInt64 {
        SplitMix.mix(a.high &* SplitMix.gamma ^ a.low ^ (a.isIPv6 ? 0x5555_5555_5555_5555 : 0))
    }

    public mutating func merge(_ other: HostSketch) {
        if let theirs = other.hashes {
            for x in theirs { add(hash: x) }
            return
        }
        if hashes != nil { densify() }
        for i in 0..<Self.registerCount where registers[i] < other.registers[i] { registers[i] = other.registers[i] }
    }

    public var count: UInt64 {
        if let hashes { return UInt64(hashes.count) }
        let m = Double(Self.registerCount)
        var sum = 0.0
        var zeros = 0
        for r in registers {
            sum += 1.0 / Double(UInt64(1) << UInt64(r))
            if r == 0 { zeros += 1 }
        }
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
        // Small counts: linear counting is the better estimate.
        if raw <= 2.5 * m && zeros > 0 { return UInt64((m * log(m / Double(zeros))).rounded()) }
        return UInt64(raw.rounded())
    }

    /// 0 and the hashes (8 bytes each, little-endian), or 1 and the registers.
    public var bytes: [UInt8] {
        if let hashes {
            var out: [UInt8] = [0]
            out.reserveCapacity(1 + 8 * hashes.count)
            for x in hashes.sorted() { withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) } }
            return out
        }
        return [1] + registers
    }

    /// A sketch from `bytes`; nil if they are not one.
    public init?(bytes: [UInt8]) {
        guard let tag = bytes.first else { return nil }
        if tag == 0 {
            guard (bytes.count - 1) % 8 == 0 else { return nil }
            var set = Set<UInt64>()
            var i = 1
            while i < bytes.count {
                var x: UInt64 = 0
                for k in 0..<8 { x |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                set.insert(x)
                i += 8
            }
            hashes = set
        } else if tag == 1 && bytes.count == 1 + Self.registerCount {
            hashes = nil
            registers = Array(bytes[1...])
        } else {
            return nil
        }
    }
}
