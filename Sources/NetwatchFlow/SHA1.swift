/// SHA-1 (FIPS 180-4), only for Community ID: the spec fixes the hash, and computing it once
/// per flow needs no crypto library. Not for anything security-relevant.
struct SHA1 {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)

    /// The digest of `message` (at most 64 kB: Community ID input is under 40 bytes).
    static func hash(_ message: UnsafeRawBufferPointer) -> (UInt32, UInt32, UInt32, UInt32, UInt32) {
        var sha = SHA1()
        let length = message.count
        let padded = (length + 9 + 63) / 64 * 64
        withUnsafeTemporaryAllocation(byteCount: padded, alignment: 4) { block in
            block.initializeMemory(as: UInt8.self, repeating: 0)
            if length > 0 { block.baseAddress!.copyMemory(from: message.baseAddress!, byteCount: length) }
            block[length] = 0x80
            let bits = UInt64(length) * 8
            for k in 0..<8 { block[padded - 1 - k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))) }
            var offset = 0
            while offset < padded {
                sha.compress(UnsafeRawBufferPointer(rebasing: block[offset..<(offset + 64)]))
                offset += 64
            }
        }
        return sha.h
    }

    private mutating func compress(_ chunk: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for i in 0..<16 {
                w[i] = UInt32(chunk[4 * i]) << 24 | UInt32(chunk[4 * i + 1]) << 16 | UInt32(chunk[4 * i + 2]) << 8 | UInt32(chunk[4 * i + 3])
            }
            for i in 16..<80 {
                let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                w[i] = x << 1 | x >> 31
            }
            var (a, b, c, d, e) = h
            for i in 0..<80 {
                let f: UInt32
                let k: UInt32
                switch i {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                }
                let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
                e = d
                d = c
                c = b << 30 | b >> 2
                b = a
                a = t
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }
    }
}
