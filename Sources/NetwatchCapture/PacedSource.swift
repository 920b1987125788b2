#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A capture file replayed at the pace its packets were captured (`speed` times faster), so a
/// dashboard sees the traffic arrive as it did (`monitor -r`). A quiet stretch longer than
/// `maxGap` seconds is skipped rather than waited out.
public final class PacedSource: PacketSource {
    let inner: PacketSource
    let speed: Double
    let maxGap: Double

    public init(_ inner: PacketSource, speed: Double, maxGap: Double = 5) {
        self.inner = inner
        self.speed = speed
        self.maxGap = maxGap
    }

    public var interfaceNames: [String] { inner.interfaceNames }
    public func statistics() -> [CaptureStatistics] { inner.statistics() }

    public func run(_ handler: (RawPacket) -> Bool, tick: () -> Void) throws(CaptureError) -> SourceEnd {
        // The wall time the packet time `base.packet` is due at.
        var base: (packet: Double, wall: Double)?
        var last = 0.0
        return try inner.run({ raw in
            guard raw.hasTime else { return handler(raw) }
            let t = Double(raw.seconds) + Double(raw.nanoseconds) / 1e9
            if base == nil || t - last > maxGap || t < last - maxGap { base = (t, MonotonicClock.seconds()) }
            last = t
            let due = base!.wall + (t - base!.packet) / speed
            while !StopSignal.requested {
                let wait = due - MonotonicClock.seconds()
                if wait <= 0 { break }
                usleep(useconds_t(min(wait, 0.1) * 1e6))
                tick()
            }
            return handler(raw)
        }, tick: tick)
    }
}
