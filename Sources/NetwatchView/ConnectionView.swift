import NetwatchDecode
import NetwatchFlow
import NetwatchHost

/// One terminal line per new connection (and, if asked, per ended one):
/// `[14:30:16.201] NEW  TCP   10.0.0.1:51544 → 10.0.0.2:443 (HTTPS)`
public final class ConnectionView {
    let out: OutputBuffer
    let palette: Palette
    let services: ServiceTable?
    let stamp = LocalTimestamp()

    /// When set (capturing on this host), lines end with the local socket's process.
    public var processes: ProcessDirectory?

    public init(output: OutputBuffer, palette: Palette, services: ServiceTable?, processes: ProcessDirectory? = nil) {
        out = output
        self.palette = palette
        self.services = services
        self.processes = processes
    }

    /// ` [curl 1234]`, or ` [-]` for a flow with no local process.
    private func writeProcess(_ flow: Flow) {
        guard let processes else { return }
        out.text(" [")
        if flow.pid >= 0 {
            AlertWriter.safe(processes.name(flow.pid) ?? "?", to: out, json: false)
            out.byte(0x20)
            out.decimal(Int(flow.pid))
        } else {
            out.byte(UInt8(ascii: "-"))
        }
        out.byte(UInt8(ascii: "]"))
    }

    public func writeNew(_ flow: Flow) {
        writeHead(flow, time: flow.first, label: "NEW ", colour: palette.tcp)
        if flow.transport == .tcp && !flow.history.text.hasPrefix("S") && !flow.history.text.hasPrefix("h") {
            out.text(" (midstream)")
        }
        writeProcess(flow)
        out.byte(0x0A)
    }

    public func writeEnd(_ flow: Flow, _ reason: FlowEnd) {
        writeHead(flow, time: flow.last, label: "END ", colour: palette.flags)
        out.byte(0x20)
        out.string(flow.state.rawValue)
        out.byte(0x20)
        out.string(flow.history.text)
        out.byte(0x20)
        out.decimal(Int(flow.duration / 1_000_000))
        out.text(" ms ")
        out.decimal(flow.originatorPackets)
        out.text(" pkts ")
        out.decimal(flow.originatorBytes)
        out.text(" B → ")
        out.decimal(flow.responderPackets)
        out.text(" pkts ")
        out.decimal(flow.responderBytes)
        out.text(" B")
        if reason != .timeout {
            out.text(" (")
            out.string(reason.rawValue)
            out.byte(UInt8(ascii: ")"))
        }
        writeProcess(flow)
        out.byte(0x0A)
    }

    private func writeHead(_ flow: Flow, time: Int64, label: StaticString, colour: StaticString) {
        out.reserve(256)
        stamp.write(seconds: time / 1_000_000_000, nanoseconds: UInt32(time % 1_000_000_000), palette: palette, to: out)
        out.byte(0x20)
        out.text(colour)
        out.text(label)
        out.text(palette.reset)
        out.byte(0x20)
        let name = ConnectionNames.proto(flow)
        out.text(name)
        out.spaces(7 - name.utf8CodeUnitCount)
        let o = flow.originator
        let r = flow.responder
        writeEndpoint(o.address, o.port, flow)
        out.text(" → ")
        writeEndpoint(r.address, r.port, flow)
        if let service = ConnectionNames.service(flow, services) {
            out.text(" (")
            out.bytes(service)
            out.byte(UInt8(ascii: ")"))
        }
    }

    private func writeEndpoint(_ address: IPAddress, _ port: UInt16, _ flow: Flow) {
        if address.isIPv6 {
            out.byte(UInt8(ascii: "["))
            out.address(address)
            out.byte(UInt8(ascii: "]"))
        } else {
            out.address(address)
        }
        if flow.transport == .tcp || flow.transport == .udp {
            out.byte(UInt8(ascii: ":"))
            out.decimal(Int(port))
        }
    }
}

/// Names shared by the connection views.
public enum ConnectionNames {
    public static func proto(_ flow: Flow) -> StaticString {
        switch flow.transport {
        case .tcp: return "TCP"
        case .udp: return "UDP"
        case .icmp: return "ICMP"
        case .icmpv6: return "ICMPv6"
        default: return ProtocolNames.ipProtocol(flow.key.proto) ?? "IP"
        }
    }

    /// The responder port's service name (the originator's if only it has one).
    public static func service(_ flow: Flow, _ services: ServiceTable?) -> UnsafeRawBufferPointer? {
        services?.nameBytes(index: serviceIndex(flow, services))
    }

    /// The name conn records give the table's name `index`: lower case, as Zeek's.
    public static func recordService(_ index: UInt16, _ services: ServiceTable?) -> String? {
        guard let bytes = services?.nameBytes(index: index) else { return nil }
        return String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// `service`'s name as the table numbers it (0: none). Inlined: the report's tally asks
    /// it for every flow.
    @inlinable @inline(__always)
    public static func serviceIndex(_ flow: Flow, _ services: ServiceTable?) -> UInt16 {
        guard flow.transport == .tcp || flow.transport == .udp, let services else { return 0 }
        let tcp = flow.transport == .tcp
        let i = services.nameIndex(port: flow.responder.port, tcp: tcp)
        return i != 0 ? i : services.nameIndex(port: flow.originator.port, tcp: tcp)
    }
}
