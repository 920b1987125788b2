#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The sd_notify protocol (sd_notify(3)) without libsystemd: a datagram of `KEY=value` lines
/// to the socket systemd names in NOTIFY_SOCKET (a path, or `@name` for the abstract
/// namespace). A unit with `Type=notify` counts netwatch as started on `READY=1`, which is
/// sent once capture is open, the web port bound and privileges dropped. The socket is
/// connected at start, before the drop, so it stays reachable afterwards.
public final class ServiceNotifier: @unchecked Sendable {
    private let fd: Int32
    private let stopped = Atomic<Bool>(false)

    /// nil when not started by a service manager that listens (no NOTIFY_SOCKET).
    public init?(environment: [String: String]) {
        guard let path = environment["NOTIFY_SOCKET"], path.count > 1, path.first == "/" || path.first == "@" else { return nil }
        #if os(Linux)
        let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let s = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard s >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        let room = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < room else {
            close(s)
            return nil
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count + (bytes[0] == 0 ? 0 : 1))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, length) }
        }
        guard connected == 0 else {
            close(s)
            return nil
        }
        fd = s
    }

    deinit { close(fd) }

    /// Sends one notification, e.g. "READY=1\nSTATUS=capturing on eth0"; false if it failed.
    @discardableResult
    public func send(_ state: String) -> Bool {
        var text = state
        #if os(Linux)
        return text.withUTF8 { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == $0.count }
        #else
        return text.withUTF8 { Darwin.send(fd, $0.baseAddress, $0.count, 0) == $0.count }
        #endif
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    /// Sent once, however many exit paths call it (a signal can land between two of them).
    public func stopping() {
        if stopped.exchange(true, ordering: .relaxed) { return }
        send("STOPPING=1")
    }

    /// Before a reload; `READY=1` follows when it is done (systemd's reload protocol wants the
    /// monotonic clock's time with it).
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        send("RELOADING=1\nMONOTONIC_USEC=\(Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)")
    }
}
