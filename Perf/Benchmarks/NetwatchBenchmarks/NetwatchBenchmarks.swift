import Benchmark
import NetwatchCapture
import NetwatchDecode
import NetwatchDetect
import NetwatchExport
import NetwatchFlow
import NetwatchStats
import NetwatchView
#if canImport(Glibc)
import Glibc
#endif

/// Per-packet cost of the hot path, with heap allocations counted by the malloc interposer.
/// Each benchmark iteration handles every packet of the capture once; the capture is
/// $NETWATCH_BENCH_CAPTURE, else the shared SYN-flood capture.
let capture: String = {
    if let path = getenv("NETWATCH_BENCH_CAPTURE") { return String(cString: path) }
    return "../../shared/testdata/pcap/attack/stopddos_synflood_spoofed.pcap"
}()

/// The packets loaded once, so iterations measure decoding, not reading.
let packets: [(bytes: [UInt8], link: LinkType, wire: Int, seconds: Int64)] = {
    var result: [([UInt8], LinkType, Int, Int64)] = []
    let source = try! Savefile.open(capture)
    _ = try! source.run({ raw in
        result.append((Array(raw.bytes), raw.linkType, raw.wireLength, raw.seconds))
        return true
    }, tick: {})
    return result
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 50)

    Benchmark("decode (\(packets.count) packets per iteration)") { benchmark in
        let decoder = PacketDecoder()
        var p = DecodedPacket()
        var issues = 0
        for packet in packets {
            packet.bytes.withUnsafeBytes { raw in
                decoder.decode(PacketBytes(raw), linkType: packet.link, wireLength: packet.wire, into: &p)
            }
            if p.issue != nil { issues += 1 }
        }
        blackHole(issues)
    }

    // The full pipeline's per-packet work as `netwatch -q --no-detect` does it: decode, probe
    // the flow table, count statistics, update the flow (creating, evicting). A fresh table
    // and counters per iteration, so every iteration creates every flow again.
    Benchmark("decode + flow table + statistics (\(packets.count) packets per iteration)") { benchmark in
        let decoder = PacketDecoder()
        let table = FlowTable()
        let stats = TrafficStatistics()
        var flowsSeen = 0
        benchmark.startMeasurement()
        for packet in packets {
            packet.bytes.withUnsafeBytes { raw in
                var p = DecodedPacket()
                decoder.decode(PacketBytes(raw), linkType: packet.link, wireLength: packet.wire, into: &p)
                let time = packet.seconds &* 1_000_000_000
                let probe = table.probe(&p)
                // As the pipeline counts: hosts and ports once per flow, as it ends.
                stats.record(&p, time: time, wireLength: packet.wire, hostsByFlow: probe != nil)
                if let probe {
                    let update = table.update(probe, &p, time: time, wireLength: packet.wire)
                    if update.evicted || update.reused { stats.recordFlow(table.lastEvictedRecord) }
                    if update.isNew { flowsSeen += 1 }
                }
            }
        }
        // The flows still open end with the run.
        table.forEachOpen { stats.recordFlow($0) }
        benchmark.stopMeasurement()
        blackHole(flowsSeen)
    }

    // Control: proves the malloc counter is live (one array copy per packet must show up).
    Benchmark("control: copy each packet (\(packets.count) packets per iteration)") { benchmark in
        var total = 0
        for packet in packets {
            var copy = packet.bytes
            copy.append(0)  // copy-on-write: a fresh buffer per packet
            total &+= copy.count
        }
        blackHole(total)
    }

    Benchmark("decode + compact line (\(packets.count) packets per iteration)") { benchmark in
        let output = devNullBuffer()
        let formatter = PacketFormatter(mode: .compact, palette: Palette(enabled: false), services: ServiceTable(), output: output)
        decodeAll(benchmark, output) { formatter.write($0, $1) }
    }

    Benchmark("decode + JSON line (\(packets.count) packets per iteration)") { benchmark in
        let output = devNullBuffer()
        let writer = JSONPacketWriter(output: output, services: ServiceTable())
        decodeAll(benchmark, output) { writer.write($0, $1) }
    }

    // IPFIX alone: 100,000 flows' records (a tenth IPv6) into messages of at most 1,400 bytes,
    // as the exporter's thread does; records per second = 100,000 / time per iteration.
    Benchmark("IPFIX encode (100000 records per iteration)") { benchmark in
        var generator = SplitMix(seed: 7)
        var records: [ExportRecord] = []
        for i in 0..<100_000 {
            let a = UInt32(truncatingIfNeeded: generator.next())
            let source = i % 10 == 0 ? IPAddress(ipv6High: 0x2001_0db8_0000_0000, low: UInt64(a)) : IPAddress(ipv4: a)
            let target = i % 10 == 0 ? IPAddress(ipv6High: 0x2001_0db8_0000_0001, low: 1) : IPAddress(ipv4: 0x0A00_0001)
            let start = 1_700_000_000_000_000_000 + Int64(i) * 1_000_000
            records.append(ExportRecord(source: source, destination: target, sourcePort: UInt16(truncatingIfNeeded: a), destinationPort: 443, ipProtocol: 6,
                                        endReason: 3, vlan: 0, originatorPackets: 12, originatorIPBytes: 1_400, responderPackets: 20, responderIPBytes: 24_000,
                                        first: start, last: start + 2_000_000_000, interface: 1, originatorTCPFlags: 0x1B, responderTCPFlags: 0x1B))
        }
        let encoder = IPFIXEncoder(observationDomain: 1)
        var sequence: UInt32 = 0
        benchmark.startMeasurement()
        let messages = encoder.messages(records, templates: true, exportTime: 1_700_000_000, sequence: &sequence)
        blackHole(messages.count)
    }

    // 100,000 random networks (/8 to /32, v4) loaded; 10 million random addresses looked up.
    Benchmark("block-list lookup (10000000 lookups per iteration, 100000 networks)") { benchmark in
        var generator = SplitMix(seed: 42)
        var text = ""
        for _ in 0..<100_000 {
            let a = UInt32(truncatingIfNeeded: generator.next())
            text += "\(a >> 24).\(a >> 16 & 255).\(a >> 8 & 255).\(a & 255)/\(8 + Int(generator.next() % 25))\n"
        }
        var list = Blocklist()
        list.load(text: text, name: "random")
        var addresses: [IPAddress] = []
        for _ in 0..<1_000_000 { addresses.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: generator.next()))) }
        benchmark.startMeasurement()
        var hits = 0
        for _ in 0..<10 {
            for a in addresses where list.contains(a) { hits += 1 }
        }
        blackHole(hits)
    }
}

func devNullBuffer() -> OutputBuffer { OutputBuffer(fd: open("/dev/null", O_WRONLY)) }

/// Decodes every packet and hands it to a view; only this loop is measured.
func decodeAll(_ benchmark: Benchmark, _ output: OutputBuffer, _ view: (DecodedPacket, PacketContext) -> Void) {
    let decoder = PacketDecoder()
    var p = DecodedPacket()
    benchmark.startMeasurement()
    for (index, packet) in packets.enumerated() {
        packet.bytes.withUnsafeBytes { raw in
            let bytes = PacketBytes(raw)
            decoder.decode(bytes, linkType: packet.link, wireLength: packet.wire, into: &p)
            view(p, PacketContext(number: UInt64(index), seconds: packet.seconds, nanoseconds: 0, bytes: bytes, wireLength: packet.wire))
        }
    }
    output.flush()
    benchmark.stopMeasurement()

}
