import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reverse DNS (PTR) names, looked up on worker threads so that a slow or dead resolver never
/// holds up the caller: `name(for:)` answers from the cache at once and queues what it does
/// not know. A lookup not answered within `timeout` counts as failed (shown as no name); names
/// are cut to hostname characters, since whoever runs the DNS zone chooses them.
public final class ReverseResolver: @unchecked Sendable {
    public enum Answer: Sendable, Equatable {
        case pending
        case name(String)
        case none
    }

    private var lock = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var cache: [IPAddress: Answer] = [:]
    private var asked: [IPAddress: Double] = [:]
    private var queue: [IPAddress] = []
    public let timeout: Double
    private let maxEntries: Int
    private var found = 0

    /// Names found so far.
    public var resolved: Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return found
    }

    public init(workers: Int = 4, timeout: Double = 3, maxEntries: Int = 65_536) {
        self.timeout = timeout
        self.maxEntries = maxEntries
        pthread_mutex_init(&lock, nil)
        pthread_cond_init(&wake, nil)
        // glibc's resolver waits 5 s per server and tries twice unless told otherwise.
        if getenv("RES_OPTIONS") == nil { setenv("RES_OPTIONS", "timeout:\(max(1, Int(timeout))) attempts:1", 1) }
        for _ in 0..<workers {
            let box = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            #if canImport(Glibc)
            pthread_create(&thread, nil, { raw in
                let me = Unmanaged<ReverseResolver>.fromOpaque(raw!).takeRetainedValue()
                me.work()
                return nil
            }, box)
            #else
            pthread_create(&thread, nil, { raw in
                let me = Unmanaged<ReverseResolver>.fromOpaque(raw).takeRetainedValue()
                me.work()
                return nil
            }, box)
            #endif
            pthread_detach(thread)
        }
    }

    /// The cached answer; `.pending` (and a queued lookup) the first time an address is asked.
    public func name(for address: IPAddress) -> Answer {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if let known = cache[address] {
            if known == .pending, let since = asked[address], monotonic() - since > timeout {
                cache[address] = Answer.none
                return .none
            }
            return known
        }
        guard cache.count < maxEntries else { return .none }
        cache[address] = .pending
        asked[address] = monotonic()
        queue.append(address)
        pthread_cond_signal(&wake)
        return .pending
    }

    private func work() {
        while true {
            pthread_mutex_lock(&lock)
            while queue.isEmpty { pthread_cond_wait(&wake, &lock) }
            let address = queue.removeFirst()
            let since = asked[address] ?? 0
            pthread_mutex_unlock(&lock)
            // Too late to be shown: skip it rather than keep a worker on a dead server.
            let name = monotonic() - since > timeout ? nil : Self.lookup(address)
            pthread_mutex_lock(&lock)
            if cache[address] == .pending || name != nil {
                if name != nil { found += 1 }
                cache[address] = name.map { .name($0) } ?? Answer.none
            }
            pthread_mutex_unlock(&lock)
        }
    }

    static func lookup(_ address: IPAddress) -> String? {
        var host = [CChar](repeating: 0, count: 1025)
        let status: Int32
        if address.isIPv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &sa.sin6_addr) { b in
                for i in 0..<16 { b[i] = UInt8(truncatingIfNeeded: (i < 8 ? address.high : address.low) >> UInt64(8 * (7 - i % 8))) }
            }
            status = withUnsafePointer(to: &sa) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getnameinfo($0, socklen_t(MemoryLayout<sockaddr_in6>.size), &host, socklen_t(host.count), nil, 0, NI_NAMEREQD) }
            }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_addr.s_addr = address.ipv4.bigEndian
            status = withUnsafePointer(to: &sa) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getnameinfo($0, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NAMEREQD) }
            }
        }
        guard status == 0 else { return nil }
        let bytes = host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? nil : sanitized(bytes)
    }

    /// Letters, digits, '-', '_' and '.' pass; anything else becomes `\xNN`; at most 80 bytes.
    public static func sanitized(_ bytes: [UInt8]) -> String {
        var out = ""
        for c in bytes.prefix(80) {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(c))
            default:
                let hex = String(c, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return bytes.count > 80 ? out + "…" : out
    }

    private func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
