import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// About how many distinct addresses were seen (HyperLogLog, 1024 registers: within a few
/// percent), in 1 KB whatever their number: a random-source flood's sources are counted
/// without keeping them.
///
/// A class over storage allocated once (its window holds one and replaces it, never copies
/// it to change): each SYN of a flood adds its source, and as an array in a struct every add
/// paid a uniqueness check and a bounds check (40 instructions, now 30).
final class DistinctCounter {
    private static let count = 1024
    private let registers: UnsafeMutablePointer<UInt8>

    init() {
        registers = .allocate(capacity: Self.count)
        registers.initialize(repeating: 0, count: Self.count)
    }

    deinit {
        registers.deallocate()
    }

    func add(_ address: IPAddress) {
        // splitmix64 over the address: spreads sequential and random sources alike.
        var x = address.high &* 0x9E37_79B9_7F4A_7C15 ^ address.low
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        let index = Int(truncatingIfNeeded: x) & (Self.count - 1)
        let rank = UInt8(min(54, (x >> 10).leadingZeroBitCount - 9))
        if registers[index] < rank { registers[index] = rank }
    }

    var estimate: Int {
        let m = 1024.0
        var sum = 0.0
        var zeros = 0
        for r in UnsafeBufferPointer(start: registers, count: Self.count) {
            sum += 1.0 / Double(UInt64(1) << UInt64(r))
            if r == 0 { zeros += 1 }
        }
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
        // Small counts: linear counting is exact enough and HyperLogLog is not.
        if raw <= 2.5 * m && zeros > 0 { return Int((m * log(m / Double(zeros))).rounded()) }
        return Int(raw.rounded())
    }
}
