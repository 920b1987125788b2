/// Where the host's socket table comes from: procfs on Linux; another platform adds its own
/// (sysctl or libproc on macOS) behind the same protocol.
public protocol SocketSource {
    /// Every TCP and UDP socket (IPv4 and IPv6) with its owner where it can be read.
    func scan() throws(SocketScanError) -> [Socket]
}

public struct SocketScanError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// The source for this platform.
public func defaultSocketSource() -> SocketSource {
    #if os(Linux)
    return ProcSocketSource()
    #else
    return UnsupportedSocketSource()
    #endif
}

struct UnsupportedSocketSource: SocketSource {
    func scan() throws(SocketScanError) -> [Socket] {
        throw SocketScanError("reading the socket table is not supported on this system yet")
    }
}
