import Foundation
import NetwatchEvents
import NetwatchFlow
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends each flow, when it ends and every active timeout while it lasts, as IPFIX to a collector (nfcapd, any IPFIX collector), over UDP
/// or TCP (`tcp://HOST:PORT`), from a thread of its own behind a bounded queue: a collector
/// that is down or slow never holds up capture; what cannot be sent is counted as not
/// delivered. Over TCP the templates go once per connection and a lost connection is tried
/// again after 1 s, doubling to 30 s.
public final class IPFIXExporter: EventSink, @unchecked Sendable {
    public private(set) var encoder: IPFIXEncoder
    /// The socket (the sender thread's after init); -1 while TCP is not connected.
    var fd: Int32 = -1
    let tcp: Bool
    /// Where to connect (TCP, again after a loss).
    let address: [UInt8]
    let family: Int32
    let destination: String
    let interfaceNames: [String]
    /// Templates are sent first and again every this many seconds (UDP has no session).
    let templateInterval: Double
    let capacity: Int

    /// Long-lived flows are exported every this many seconds while open (nil: only at the end).
    public let activeTimeout: Double?
    /// What was exported of each flow still open (packet thread only): the next record of it
    /// carries the counts since, from the time the last one ended (delta counts, as IPFIX's
    /// packetDeltaCount and octetDeltaCount mean).
    private var exported: [UInt64: Exported] = [:]

    struct Exported {
        var originatorPackets: UInt64
        var originatorIPBytes: UInt64
        var responderPackets: UInt64
        var responderIPBytes: UInt64
        /// flowEndMilliseconds of the last record.
        var end: UInt64
    }

    /// Records made on the packet thread, not yet handed to the sender (`flush`).
    private var pending: [ExportRecord] = []
    private let condition = NSCondition()
    private var queue: [ExportRecord] = []
    private var closing = false
    private var done = false
    private var notDelivered: UInt64 = 0
    private var sentRecords: UInt64 = 0
    private var thread: Thread?

    public struct Failure: Error, Sendable { public var message: String }

    /// `destination`: HOST:PORT (an IPv6 address in brackets), or tcp://HOST:PORT.
    public init(destination: String, observationDomain: UInt32 = 0, interfaceNames: [String] = [], templateInterval: Double = 10,
                capacity: Int = 1 << 16, activeTimeout: Double? = nil) throws(Failure) {
        encoder = IPFIXEncoder(observationDomain: observationDomain)
        self.activeTimeout = activeTimeout
        self.interfaceNames = interfaceNames
        self.templateInterval = templateInterval
        self.capacity = capacity
        tcp = destination.hasPrefix("tcp://")
        let target = tcp ? String(destination.dropFirst(6)) : destination.hasPrefix("udp://") ? String(destination.dropFirst(6)) : destination
        self.destination = target
        guard let (host, port) = Self.split(target) else { throw Failure(message: "--ipfix takes HOST:PORT or tcp://HOST:PORT, not '\(destination)'") }
        var hints = addrinfo()
        hints.ai_socktype = Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(message: "--ipfix: cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        family = first.pointee.ai_family
        address = Array(UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        if !tcp {
            fd = try Self.open(family: family, tcp: false, address: address, destination: target)
            // Messages as large as the path MTU allows (RFC 7011 10.3.3): 1,400 bytes is
            // what fits a 1,500-byte Ethernet path either way; a larger path (loopback,
            // jumbo frames) takes fewer, larger datagrams.
            if let mtu = Self.pathMTU(fd, family: family) {
                let payload = mtu - (family == AF_INET6 ? 40 : 20) - 8
                encoder = IPFIXEncoder(observationDomain: observationDomain, maxMessage: min(max(payload, 512), 65_507))
            }
        }
        let t = Thread { [unowned self] in self.sendLoop() }
        t.name = "nw-ipfix"
        thread = t
        t.start()
    }

    /// A socket connected to `address`.
    static func open(family: Int32, tcp: Bool, address: [UInt8], destination: String) throws(Failure) -> Int32 {
        let s = socket(family, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        guard s >= 0 else { throw Failure(message: "--ipfix: cannot open a socket: \(String(cString: strerror(errno)))") }
        let ok = address.withUnsafeBytes { connect(s, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count)) } == 0
        guard ok else {
            let reason = String(cString: strerror(errno))
            closeSocket(s)
            throw Failure(message: "--ipfix: cannot reach \(destination): \(reason)")
        }
        return s
    }

    /// The path MTU the kernel knows for a connected UDP socket (Linux's IP_MTU), or nil.
    static func pathMTU(_ fd: Int32, family: Int32) -> Int? {
        #if os(Linux)
        var mtu: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        // IP_MTU (14) and IPV6_MTU (24) from <linux/in.h> and <linux/in6.h>.
        let (level, name) = family == AF_INET6 ? (Int32(IPPROTO_IPV6), Int32(24)) : (Int32(IPPROTO_IP), Int32(14))
        guard getsockopt(fd, level, name, &mtu, &size) == 0, mtu >= 576 else { return nil }
        return Int(mtu)
        #else
        return nil
        #endif
    }

    /// Sends all of `bytes` (a stream may take them in parts).
    func sendAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    static func split(_ text: String) -> (String, Int)? {
        var host = text, portText = ""
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(after: close)...].dropFirst())
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (host, port)
    }

    public var hearsFlowOpens: Bool { false }
    public var needsCommunityID: Bool { false }

    /// The flow table's records themselves: no conn record is made for the exporter.
    public var hearsFlowRecords: Bool { false }

    public func receive(_ event: NetwatchEvent) {
        if case .runEnded = event {
            flush()
            close()
        }
    }

    public func flowEnded(_ flow: Flow, _ reason: FlowEnd) {
        var record = ExportRecord(flow, reason: reason, interface: interfaceIndex(flow.interfaceRaw))
        if !exported.isEmpty, let before = exported.removeValue(forKey: flow.id) { Self.since(before, &record) }
        enqueue(record)
    }

    /// (The protocol's default, written here so that `flowEnded` is called directly.)
    public func flowsOpenAtEnd(_ flows: FlowTable) {
        flows.forEachOpen { flowEnded($0.pointee, .shutdown) }
    }

    public func flowActive(_ flow: Flow) {
        var record = ExportRecord(flow, reason: nil, interface: interfaceIndex(flow.interfaceRaw))
        let now = Exported(originatorPackets: flow.originatorPackets, originatorIPBytes: flow.originatorIPBytes, responderPackets: flow.responderPackets,
                           responderIPBytes: flow.responderIPBytes, end: record.endMilliseconds)
        if let before = exported[flow.id] {
            guard now.originatorPackets + now.responderPackets > before.originatorPackets + before.responderPackets else { return }
            Self.since(before, &record)
        }
        exported[flow.id] = now
        enqueue(record)
    }

    /// Hands the records gathered on the packet thread to the sender (between packets, and
    /// every 256 records): one lock per batch, not per flow.
    public func flush() {
        guard !pending.isEmpty else { return }
        condition.lock()
        let room = max(0, capacity - queue.count)
        if pending.count > room { notDelivered &+= UInt64(pending.count - room) }
        queue.append(contentsOf: pending.prefix(room))
        if queue.count >= 512 { condition.signal() }
        condition.unlock()
        pending.removeAll(keepingCapacity: true)
    }

    /// The part of `r` after what was exported of its flow before: counts since, from where
    /// the last record ended.
    static func since(_ before: Exported, _ r: inout ExportRecord) {
        r.originatorPackets &-= before.originatorPackets
        r.originatorIPBytes &-= before.originatorIPBytes
        r.responderPackets &-= before.responderPackets
        r.responderIPBytes &-= before.responderIPBytes
        r.startMilliseconds = min(before.end, r.endMilliseconds)
    }

    private func enqueue(_ record: ExportRecord) {
        pending.append(record)
        if pending.count >= 256 { flush() }
    }

    public var counts: (sent: UInt64, notDelivered: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        return (sentRecords, notDelivered)
    }

    /// Sends what is queued and stops the thread.
    public func close() {
        condition.lock()
        if done || closing {
            condition.unlock()
            return
        }
        closing = true
        condition.signal()
        while !done { condition.wait() }
        condition.unlock()
        if fd >= 0 { closeSocket(fd) }
        let (sent, lost) = counts
        finished?(sent, lost)
    }

    /// Told the run's totals once the last records are sent (the command reports them).
    public var finished: ((_ sent: UInt64, _ notDelivered: UInt64) -> Void)?

    private func sendLoop() {
        var sequence: UInt32 = 0
        var lastTemplates = -Double.infinity
        var nextAttempt = 0.0
        var backoff = 1.0
        // Two buffers taking turns: the queue's storage is never copied or allocated anew.
        var batch: [ExportRecord] = []
        batch.reserveCapacity(1024)
        var buffer: [UInt8] = [], ends: [Int] = []
        while true {
            batch.removeAll(keepingCapacity: true)
            condition.lock()
            if queue.count < 512 && !closing { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.2)) }
            swap(&batch, &queue)
            let last = closing
            condition.unlock()
            let now = Date().timeIntervalSince1970
            if tcp && fd < 0 && now >= nextAttempt {
                if let s = try? Self.open(family: family, tcp: true, address: address, destination: destination) {
                    fd = s
                    backoff = 1
                    lastTemplates = -Double.infinity
                } else {
                    nextAttempt = now + backoff
                    backoff = min(backoff * 2, 30)
                }
            }
            // Templates: over UDP every `templateInterval`; over TCP once per connection.
            let templates = fd >= 0 && (tcp ? lastTemplates == -Double.infinity : now - lastTemplates >= templateInterval)
            if fd < 0 {
                condition.lock()
                notDelivered &+= UInt64(batch.count)
                condition.unlock()
            } else if !batch.isEmpty || templates {
                encoder.encode(batch, templates: templates, exportTime: UInt32(truncatingIfNeeded: Int64(now)), sequence: &sequence, into: &buffer, ends: &ends)
                let failed = buffer.withUnsafeBytes { all in
                    var failed = 0, start = 0
                    for end in ends {
                        let m = UnsafeRawBufferPointer(rebasing: all[start..<end])
                        if tcp {
                            if failed > 0 || !sendAll(m) { failed += 1 }
                        } else if send(fd, m.baseAddress, m.count, 0) != m.count {
                            failed += 1
                        }
                        start = end
                    }
                    return failed
                }
                let messages = ends
                if templates && failed == 0 { lastTemplates = now }
                if tcp && failed > 0 {
                    // The connection is gone: again later, templates first.
                    closeSocket(fd)
                    fd = -1
                    nextAttempt = now + backoff
                }
                condition.lock()
                // A message lost is its records lost: counted as a share of the batch.
                let lost = messages.isEmpty ? 0 : UInt64(batch.count * failed / messages.count)
                notDelivered &+= lost
                sentRecords &+= UInt64(batch.count) - lost
                condition.unlock()
            }
            if last {
                condition.lock()
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    /// ingressInterface: the flow's interface in the run's `-i` order, from 1 (the only one: 1).
    func interfaceIndex(_ raw: UInt8) -> UInt32 {
        raw > 0 ? UInt32(raw) : interfaceNames.isEmpty ? 0 : 1
    }
}

private func closeSocket(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #elseif canImport(Darwin)
    _ = Darwin.close(fd)
    #endif
}
