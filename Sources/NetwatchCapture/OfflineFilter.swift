import CPcap
import NetwatchDecode

/// A BPF filter applied in user space to packets read from files, compiled once per link
/// type (a pcapng file may mix them), with libpcap's own compiler and interpreter.
public final class OfflineFilter {
    public let expression: String
    private var programs: [UInt32: UnsafeMutablePointer<bpf_program>] = [:]
    /// Link types the expression cannot be compiled for; their packets do not match.
    public private(set) var rejectedLinkTypes: [LinkType: String] = [:]

    /// Compiles for Ethernet first so a bad expression is refused before reading starts.
    public init(_ expression: String, snapLength: Int = 262_144) throws(CaptureError) {
        self.expression = expression
        if let error = compile(for: .ethernet, snapLength: snapLength) {
            throw CaptureError(.badFilter, "invalid filter \"\(expression)\": \(error)")
        }
    }

    deinit {
        for program in programs.values {
            pcap_freecode(program)
            program.deallocate()
        }
    }

    private func compile(for linkType: LinkType, snapLength: Int) -> String? {
        guard let dead = pcap_open_dead(Int32(bitPattern: linkType.rawValue), Int32(clamping: snapLength)) else {
            return "libpcap cannot describe link type \(linkType.name)"
        }
        defer { pcap_close(dead) }
        let program = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
        program.initialize(to: bpf_program())
        guard pcap_compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            program.deallocate()
            return String(cString: pcap_geterr(dead))
        }
        programs[linkType.rawValue] = program
        return nil
    }

    @inline(__always)
    public func matches(_ packet: RawPacket) -> Bool {
        guard let program = programs[packet.linkType.rawValue] ?? compileLate(packet.linkType) else { return false }
        var header = pcap_pkthdr()
        header.caplen = UInt32(packet.bytes.count)
        header.len = UInt32(packet.wireLength)
        guard let base = packet.bytes.baseAddress else { return false }
        return pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }

    private func compileLate(_ linkType: LinkType) -> UnsafeMutablePointer<bpf_program>? {
        guard rejectedLinkTypes[linkType] == nil else { return nil }
        if let error = compile(for: linkType, snapLength: 262_144) {
            rejectedLinkTypes[linkType] = error
            return nil
        }
        return programs[linkType.rawValue]
    }
}
