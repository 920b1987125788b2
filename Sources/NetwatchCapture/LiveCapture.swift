import CPcap
import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct LiveOptions: Sendable {
    public var promiscuous = true
    public var snapLength = 262_144
    /// Kernel ring size in bytes (64 MiB held an nmap burst, PLATFORM.md).
    public var bufferSize = 64 << 20
    /// Immediate mode wakes netwatch for every packet, but libpcap then sizes each ring slot by
    /// the snap length: 64 MiB held 256 packets, and a pause of a few milliseconds in the
    /// packet loop dropped packets under a flood that tcpdump took whole. Off, the kernel fills
    /// blocks of packets (TPACKET_V3, as tcpdump) and hands a block over when it is full or
    /// `timeoutMilliseconds` have passed: nothing dropped, and a packet shown within that time.
    public var immediate = false
    public var timeoutMilliseconds: Int32 = 100
    public var filter: String? = nil
    public init() {}
}

/// Live capture from one or more interfaces in one thread: each handle is non-blocking and
/// the loop sleeps in `poll()` on their descriptors. libpcap's blocking read can ignore its
/// timeout on Linux (PLATFORM.md, pitfall 1); this way Ctrl+C and ticks stay responsive.
public final class LiveCapture: PacketSource {
    private let handles: [LibpcapHandle]
    /// How long a stop request keeps reading: the kernel hands a block of packets over when it
    /// is full or the timeout has passed (TPACKET_V3), so the last block needs that long to show.
    private let drainSeconds: Double

    public var interfaceNames: [String] { handles.map(\.name) }
    public var linkTypes: [LinkType] { handles.map(\.linkType) }
    public var snapLength: Int { handles.map(\.snapLength).max() ?? 0 }

    public init(interfaces: [String], options: LiveOptions) throws(CaptureError) {
        var opened: [LibpcapHandle] = []
        for name in interfaces {
            opened.append(try Self.open(name, options))
        }
        handles = opened
        drainSeconds = options.immediate ? 0.02 : Double(options.timeoutMilliseconds) / 1000 + 0.05
    }

    private static func open(_ name: String, _ options: LiveOptions) throws(CaptureError) -> LibpcapHandle {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let p = pcap_create(name, &errbuf) else {
            throw CaptureError(.noSuchInterface, "cannot capture on \(name): \(cString(errbuf))")
        }
        pcap_set_snaplen(p, Int32(clamping: options.snapLength))
        pcap_set_promisc(p, options.promiscuous ? 1 : 0)
        pcap_set_timeout(p, options.timeoutMilliseconds)
        pcap_set_buffer_size(p, Int32(clamping: options.bufferSize))
        if options.immediate { pcap_set_immediate_mode(p, 1) }
        let status = pcap_activate(p)
        if status < 0 {
            let detail = String(cString: pcap_geterr(p))
            pcap_close(p)
            switch status {
            case PCAP_ERROR_PERM_DENIED:
                throw CaptureError(.permission, "no permission to capture on \(name): run netwatch as root, or grant it CAP_NET_RAW and CAP_NET_ADMIN (sudo setcap cap_net_raw,cap_net_admin=eip $(which netwatch))")
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw CaptureError(.noSuchInterface, "no such interface \"\(name)\" (netwatch -D lists the interfaces)")
            case PCAP_ERROR_IFACE_NOT_UP:
                throw CaptureError(.other, "interface \(name) is down")
            default:
                throw CaptureError(.other, "cannot capture on \(name): \(detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail)")
            }
        }
        let handle = LibpcapHandle(pcap: p, name: name)
        if let filter = options.filter, !filter.isEmpty {
            try handle.setFilter(filter, netmask: PCAP_NETMASK_UNKNOWN)
        }
        guard pcap_setnonblock(p, 1, &errbuf) == 0 else {
            throw CaptureError(.other, "cannot make the capture on \(name) non-blocking: \(cString(errbuf))")
        }
        return handle
    }

    public func run(_ handler: (RawPacket) -> Bool, tick: () -> Void) throws(CaptureError) -> SourceEnd {
        var fds = handles.map { pollfd(fd: pcap_get_selectable_fd($0.pcap), events: Int16(POLLIN), revents: 0) }
        var packet = RawPacket(seconds: 0, nanoseconds: 0, bytes: UnsafeRawBufferPointer(start: nil, count: 0), wireLength: 0, linkType: .ethernet, interface: 0)
        // On a stop request, reading goes on for `drainSeconds`: what the kernel holds, the
        // block it is still filling included, is counted before the run ends.
        var drainDeadline: Double?
        while true {
            if drainDeadline == nil && StopSignal.requested { drainDeadline = MonotonicClock.seconds() + drainSeconds }
            var delivered = 0
            for (index, handle) in handles.enumerated() {
                // A bounded batch per interface per round keeps a busy one from starving the rest.
                for _ in 0..<4096 {
                    let result = handle.next(into: &packet, interface: index)
                    if result == 1 {
                        delivered += 1
                        if !handler(packet) { return .stopped }
                    } else if result == 0 {
                        break
                    } else {
                        throw CaptureError(.other, "capture on \(handle.name) failed: \(handle.lastError)")
                    }
                }
            }
            tick()
            if let deadline = drainDeadline {
                let left = deadline - MonotonicClock.seconds()
                if left <= 0 { break }
                if delivered == 0 { _ = poll(&fds, nfds_t(fds.count), Int32(left * 1000) + 1) }
            } else if delivered == 0 {
                _ = poll(&fds, nfds_t(fds.count), 100)
            }
        }
        return .stopped
    }

    public func statistics() -> [CaptureStatistics] {
        handles.map { handle in
            var stats = pcap_stat()
            guard pcap_stats(handle.pcap, &stats) == 0 else {
                return CaptureStatistics(interface: handle.name, received: 0, dropped: 0, droppedByInterface: 0)
            }
            return CaptureStatistics(
                interface: handle.name, received: UInt64(stats.ps_recv), dropped: UInt64(stats.ps_drop),
                droppedByInterface: UInt64(stats.ps_ifdrop))
        }
    }
}
