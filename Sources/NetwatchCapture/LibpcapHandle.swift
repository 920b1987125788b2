import CPcap
import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `pcap_t`: a live interface, or a savefile libpcap reads for us (standard input).
final class LibpcapHandle {
    let pcap: OpaquePointer
    let name: String
    let linkType: LinkType
    let snapLength: Int

    init(pcap: OpaquePointer, name: String) {
        self.pcap = pcap
        self.name = name
        linkType = LinkType(dlt: pcap_datalink(pcap))
        snapLength = Int(pcap_snapshot(pcap))
    }

    deinit { pcap_close(pcap) }

    var lastError: String { String(cString: pcap_geterr(pcap)) }

    /// Compiles `expression` for this handle's link type and installs it (in the kernel for a live handle).
    func setFilter(_ expression: String, netmask: UInt32) throws(CaptureError) {
        var program = bpf_program()
        guard pcap_compile(pcap, &program, expression, 1, netmask) == 0 else {
            throw CaptureError(.badFilter, "invalid filter \"\(expression)\": \(lastError)")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(pcap, &program) == 0 else {
            throw CaptureError(.badFilter, "cannot install filter \"\(expression)\" on \(name): \(lastError)")
        }
    }

    /// Reads one packet; 1 delivered, 0 none ready (non-blocking), -2 end of file, -1 error.
    @inline(__always)
    func next(into packet: inout RawPacket, interface: Int) -> Int32 {
        var header: UnsafeMutablePointer<pcap_pkthdr>? = nil
        var data: UnsafePointer<UInt8>? = nil
        let result = pcap_next_ex(pcap, &header, &data)
        guard result == 1, let h = header else { return result }
        packet = RawPacket(
            seconds: Int64(h.pointee.ts.tv_sec),
            nanoseconds: UInt32(truncatingIfNeeded: h.pointee.ts.tv_usec) &* 1000,
            bytes: UnsafeRawBufferPointer(start: data, count: Int(h.pointee.caplen)),
            wireLength: Int(h.pointee.len), linkType: linkType, interface: interface)
        return 1
    }
}

/// Standard input (`-r -`): libpcap reads the stream, so a pipe from tcpdump works.
final class StreamSource: PacketSource {
    private let handle: LibpcapHandle

    init(path: String) throws(CaptureError) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let p = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_MICRO), &errbuf) else {
            throw CaptureError(.badFile, "cannot read \(path == "-" ? "standard input" : path): \(cString(errbuf))")
        }
        handle = LibpcapHandle(pcap: p, name: path)
    }

    var interfaceNames: [String] { [handle.name] }
    func statistics() -> [CaptureStatistics] { [] }

    func run(_ handler: (RawPacket) -> Bool, tick: () -> Void) throws(CaptureError) -> SourceEnd {
        var packet = RawPacket(seconds: 0, nanoseconds: 0, bytes: UnsafeRawBufferPointer(start: nil, count: 0), wireLength: 0, linkType: handle.linkType, interface: 0)
        var delivered = 0
        while true {
            switch handle.next(into: &packet, interface: 0) {
            case 1:
                delivered += 1
                if !handler(packet) { return .stopped }
                if delivered & 0xFFF == 0 {
                    if StopSignal.requested { return .stopped }
                    tick()
                }
            case -2:
                return .finished
            default:
                return .truncated("standard input: \(handle.lastError) (after \(delivered) packets)")
            }
        }
    }
}
