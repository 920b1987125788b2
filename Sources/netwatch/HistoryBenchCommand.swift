import ArgumentParser
import NetwatchCapture
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchHistory
import NetwatchPipeline
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `netwatch history bench` (hidden, for scripts/bench): conn records made up and written
/// through the history writer as a file run would, to time the store alone.
struct HistoryBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Time inserting made-up conn records.", shouldDisplay: false)

    @Option(name: .customLong("db")) var db: String
    @Option(name: .customLong("records")) var records = 1_000_000
    /// Spread over this many hours back from now (for the query timings).
    @Option(name: .customLong("hours")) var hours = 24.0
    /// Live instead: this many records a second, by the clock, through a live writer (which
    /// drops what does not fit and never waits); for the fault tests.
    @Option(name: .customLong("live-rate")) var liveRate: Int?
    /// Also a traffic tick for every second of the span (to measure the series' size).
    @Flag(name: .customLong("series")) var series = false
    @Option(name: .customLong("retention")) var retention: String?
    @Option(name: .customLong("history-max-size")) var maxSize: String?

    func run() throws {
        let store: HistoryStore
        do { store = try HistoryStore.openForWriting(db, maxBytes: maxSize.flatMap(Quantity.size)) } catch {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
        // Made before the clock starts: the writer's cost, not the generator's.
        let uids = FlowUID()
        let now = Int64(PacketPipeline.realTimeSeconds()) * 1_000_000_000
        let span = Int64(hours * 3_600_000_000_000)
        var generator = SplitMix(seed: 42)
        var made: [FlowRecord] = []
        made.reserveCapacity(records)
        for i in 0..<records {
            let r = generator.next()
            // 5000 local hosts, 200 000 remote ones, a few hundred ports: a busy site's day.
            var f = FlowRecord(uid: uids.uid(id: UInt64(i)), communityID: "1:" + String(r, radix: 36), start: now - span + Int64(i) * (span / Int64(max(records, 1))),
                               duration: Int64(r % 5_000_000_000),
                               originatorAddress: IPAddress(ipv4: 0x0A00_0000 | UInt32(r % 5000)), originatorPort: UInt16(truncatingIfNeeded: 32768 + r % 28000),
                               responderAddress: IPAddress(ipv4: 0x5000_0000 | UInt32((r >> 16) % 200_000)), responderPort: [443, 80, 53, 22, 25, 8080, 123][Int((r >> 40) % 7)],
                               proto: "tcp", ipProtocol: 6, connState: "SF", history: "ShADadFf")
            f.originatorPackets = r % 100
            f.responderPackets = (r >> 8) % 100
            f.originatorIPBytes = f.originatorPackets * 80
            f.responderIPBytes = f.responderPackets * 900
            f.endReason = "timeout"
            f.service = "https"
            made.append(f)
        }
        let writer = HistoryWriter(store: store, live: liveRate != nil, retention: HistoryRetention(maxAge: retention.flatMap(Quantity.age), maxBytes: maxSize.flatMap(Quantity.size)))
        let t0 = MonotonicClock.seconds()
        writer.receive(.runStarted(RunInfo(started: PacketPipeline.realTimeSeconds(), command: "history bench", interfaces: nil, file: nil, filter: nil, host: HistoryOptions.hostName(), version: Netwatch.configuration.version)))
        writer.warn = { diagnostics.warning("\($0)") }
        if let rate = liveRate, rate > 0 {
            // Records stamped with the clock, in steps of a hundredth of a second.
            let start = MonotonicClock.seconds()
            let startNanos = Int64(PacketPipeline.realTimeSeconds() * 1e9)
            for (i, var f) in made.enumerated() {
                let due = Double(i) / Double(rate)
                while MonotonicClock.seconds() - start < due { usleep(10_000) }
                f.start = startNanos + Int64(due * 1e9)
                writer.receive(.flowEnded(f))
            }
        } else {
            // Ticks interleaved with the records, in time order, as the road sends them.
            var second = (now - span) / 1_000_000_000
            var ticks = SplitMix(seed: 7)
            for f in made {
                while series && second <= f.start / 1_000_000_000 {
                    var t = TrafficTick(second: second)
                    let r = ticks.next()
                    t.packets = 1000 + r % 50_000
                    t.bytes = t.packets * (64 + (r >> 20) % 1400)
                    t.tcp = t.packets * 7 / 10
                    t.udp = t.packets / 4
                    t.icmp = t.packets / 50
                    writer.receive(.tick(t))
                    second += 1
                }
                writer.receive(.flowEnded(f))
            }
        }
        var end = RunInfo(started: 0, command: "history bench", interfaces: nil, file: nil, filter: nil, host: "", version: "")
        end.ended = PacketPipeline.realTimeSeconds()
        end.flows = UInt64(records)
        writer.receive(.runEnded(end))
        let seconds = MonotonicClock.seconds() - t0
        if writer.dropped > 0 { print("\(writer.dropped) records dropped") }
        print("\(records) conn records written in \(Double(Int(seconds * 100)) / 100) s: \(Int(Double(records) / seconds)) per second")
    }
}
