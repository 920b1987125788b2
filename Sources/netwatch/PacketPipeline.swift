import NetwatchCapture
import NetwatchDecode
import NetwatchView

/// One road for every packet, live or from a file: filter, decode, count, write, show.
final class PacketPipeline {
    enum View {
        case none
        case text(PacketFormatter)
        case json(JSONPacketWriter)
    }

    struct WriterPlan {
        var path: String
        var rotateMegabytes: Int?
        var snapLength: Int
    }

    let source: PacketSource
    let output: OutputBuffer
    let view: View
    let filter: OfflineFilter?
    let limit: Int?
    let writerPlan: WriterPlan?
    let palette: Palette
    private var writer: PcapWriter?
    private let decoder = PacketDecoder()
    private var packet = DecodedPacket()
    private let interfaceNames: [String]

    private(set) var packets: UInt64 = 0
    private(set) var bytes: UInt64 = 0
    /// Malformed packets by reason and layer (`DecodeIssue.Kind` × `Layer`).
    private(set) var issues = [UInt64](repeating: 0, count: DecodeIssue.Kind.allCases.count * Layer.allCases.count)
    private var writeError: CaptureError?

    init(source: PacketSource, output: OutputBuffer, view: View, filter: OfflineFilter?, limit: Int?, writerPlan: WriterPlan?, palette: Palette) {
        self.source = source
        self.output = output
        self.view = view
        self.filter = filter
        self.limit = limit
        self.writerPlan = writerPlan
        self.palette = palette
        interfaceNames = source.interfaceNames
    }

    func openWriter(linkType: LinkType) throws(CaptureError) {
        guard let plan = writerPlan, writer == nil else { return }
        writer = try PcapWriter(path: plan.path, linkType: linkType, snapLength: plan.snapLength, rotateMegabytes: plan.rotateMegabytes)
    }

    func run() throws(CaptureError) -> SourceEnd {
        let end = try source.run({ raw in handle(raw) }, tick: { output.flush() })
        if let writeError { throw writeError }
        return end
    }

    @inline(__always)
    private func handle(_ raw: RawPacket) -> Bool {
        if let filter, !filter.matches(raw) { return true }
        packets &+= 1
        bytes &+= UInt64(raw.wireLength)
        let captured = PacketBytes(raw.bytes)
        decoder.decode(captured, linkType: raw.linkType, wireLength: raw.wireLength, into: &packet)
        if let issue = packet.issue {
            issues[Int(issue.kind.rawValue) * Layer.allCases.count + Int(issue.layer.rawValue)] &+= 1
        }
        if writerPlan != nil && !write(raw) { return false }
        switch view {
        case .none:
            break
        case .text(let formatter):
            formatter.write(packet, context(raw, captured))
        case .json(let writer):
            writer.write(packet, context(raw, captured))
        }
        if let limit, packets >= UInt64(limit) { return false }
        return true
    }

    @inline(__always)
    private func context(_ raw: RawPacket, _ captured: PacketBytes) -> PacketContext {
        PacketContext(
            number: packets, seconds: raw.seconds, nanoseconds: raw.nanoseconds, bytes: captured,
            wireLength: raw.wireLength, interface: interfaceNames.count > 1 ? interfaceNames[raw.interface] : nil)
    }

    private func write(_ raw: RawPacket) -> Bool {
        do {
            if writer == nil { try openWriter(linkType: raw.linkType) }
            try writer?.write(raw)
            return true
        } catch {
            writeError = error
            return false
        }
    }

    /// Closes the pcap file, then reports totals, malformed packets, libpcap's drop
    /// counters and how the source ended, on standard error (stdout stays for packets).
    func finish(end: SourceEnd) {
        output.flush()
        if let plan = writerPlan {
            do {
                if writer == nil { try openWriter(linkType: .ethernet) }
                try writer?.close()
            } catch {
                printError("netwatch: \(error.message)")
            }
            if let writer, writer.packetsSkipped > 0 {
                printError("netwatch: \(writer.packetsSkipped) packets of another link type than \(writer.linkType.name) were not written to \(plan.path)")
            }
        }
        var summary = "\(packets) packets, \(bytes) bytes"
        let malformed = issues.reduce(0, +)
        if malformed > 0 {
            var parts: [String] = []
            for kind in DecodeIssue.Kind.allCases {
                for layer in Layer.allCases {
                    let n = issues[Int(kind.rawValue) * Layer.allCases.count + Int(layer.rawValue)]
                    if n > 0 { parts.append("\(n) \(kind.name) \(layer.name)") }
                }
            }
            summary += "; \(malformed) malformed (\(parts.joined(separator: ", ")))"
        }
        printError("netwatch: \(summary)")
        for s in source.statistics() {
            printError("netwatch: \(s.interface): \(s.received) packets received by filter, \(s.dropped) dropped by kernel, \(s.droppedByInterface) dropped by interface")
        }
        switch end {
        case .truncated(let why):
            printError("netwatch: warning: \(why)")
        case .corrupt(let why):
            printError("netwatch: \(why)")
        case .finished, .stopped:
            break
        }
    }
}
