import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// About how many distinct addresses were seen (HyperLogLog, 1024 registers: within a few
/// percent), in 1 KB whatever their number: a random-source flood's sources are counted
/// without keeping them.
struct DistinctCounter {
    private var registers = [UInt8](repeating: 0, count: 1024)

    mutating func add(_ address: IPAddress) {
        // splitmix64 over the address: spreads sequential and random sources alike.
        var x = address.high &* 0x9E37_79B9_7F4A_7C15 ^ address.low
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        let index = Int(x & 1023)
        let rank = UInt8(min(54, (x >> 10).leadingZeroBitCount - 9))
        if registers[index] < rank { registers[index] = rank }
    }

    var estimate: Int {
        let m = 1024.0
        var sum = 0.0
        var zeros = 0
        for r in registers {
            sum += 1.0 / Double(UInt64(1) << UInt64(r))
            if r == 0 { zeros += 1 }
        }
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
        // Small counts: linear counting is exact enough and HyperLogLog is not.
        if raw <= 2.5 * m && zeros > 0 { return Int((m * log(m / Double(zeros))).rounded()) }
        return Int(raw.rounded())
    }
}
