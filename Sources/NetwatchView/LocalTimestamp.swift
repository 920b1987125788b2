/// `[HH:MM:SS.mmm]` in local time, for every terminal view. The `[HH:MM:SS.` text is built
/// once per second of traffic and kept behind a pointer (no exclusivity check per packet).
public final class LocalTimestamp {
    private var clock = PacketClock()
    private let cache: UnsafeMutablePointer<(second: Int64, text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8))>

    public init() {
        cache = .allocate(capacity: 1)
        cache.initialize(to: (Int64.min, (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
    }

    deinit { cache.deallocate() }

    public func write(seconds: Int64, nanoseconds: UInt32, palette: Palette, to out: OutputBuffer) {
        if cache.pointee.second != seconds {
            let t = clock.localTime(seconds)
            let (h, m, s) = (UInt8(t.tm_hour), UInt8(t.tm_min), UInt8(t.tm_sec))
            cache.pointee = (seconds, (
                UInt8(ascii: "["), 48 + h / 10, 48 + h % 10, UInt8(ascii: ":"), 48 + m / 10, 48 + m % 10,
                UInt8(ascii: ":"), 48 + s / 10, 48 + s % 10, UInt8(ascii: ".")))
        }
        out.text(palette.timestamp)
        withUnsafeBytes(of: &cache.pointee.text) { out.bytes($0) }
        out.zeroPadded(Int(nanoseconds / 1_000_000), digits: 3)
        out.byte(UInt8(ascii: "]"))
        out.text(palette.reset)
    }
}
