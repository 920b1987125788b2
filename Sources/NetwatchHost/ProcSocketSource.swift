#if os(Linux)
import Glibc
import NetwatchDecode

/// The socket table from procfs: `/proc/net/{tcp,tcp6,udp,udp6}` for the sockets of this
/// network namespace, `/proc/PID/fd` links (`socket:[inode]`) for their owners.
public struct ProcSocketSource: SocketSource {
    public var root: String

    public init(root: String = "/proc") { self.root = root }

    public func scan() throws(SocketScanError) -> [Socket] {
        var sockets: [Socket] = []
        sockets.reserveCapacity(1024)
        var buffer: [UInt8] = []
        var readAny = false
        for (name, transport, v6) in [("tcp", Socket.Transport.tcp, false), ("tcp6", .tcp, true), ("udp", .udp, false), ("udp6", .udp, true)] {
            // A kernel without IPv6 has no tcp6/udp6: not an error.
            guard ProcFile.readAll("\(root)/net/\(name)", into: &buffer) else { continue }
            readAny = true
            Self.parseTable(buffer, transport: transport, ipv6: v6, into: &sockets)
        }
        guard readAny else { throw SocketScanError("cannot read \(root)/net/tcp: \(String(cString: strerror(errno)))") }
        let owners = ownersByInode()
        var processes: [Int32: ProcessOwner] = [:]
        for i in sockets.indices where sockets[i].inode != 0 {
            guard let pid = owners[sockets[i].inode] else { continue }
            if let known = processes[pid] {
                sockets[i].owner = known
            } else if let owner = process(pid) {
                processes[pid] = owner
                sockets[i].owner = owner
            }
        }
        return sockets
    }

    /// One table: a header line, then per socket
    /// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`, addresses as hex words in
    /// host byte order.
    static func parseTable(_ text: [UInt8], transport: Socket.Transport, ipv6: Bool, into sockets: inout [Socket]) {
        var lineStart = 0
        var first = true
        let end = text.count
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end && text[lineEnd] != 10 { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            if first {
                first = false
                continue
            }
            // Up to 10 whitespace-separated fields.
            var fields: [(Int, Int)] = []
            fields.reserveCapacity(10)
            var i = lineStart
            while i < lineEnd && fields.count < 10 {
                while i < lineEnd && text[i] == 32 { i += 1 }
                let s = i
                while i < lineEnd && text[i] != 32 { i += 1 }
                if i > s { fields.append((s, i)) }
            }
            guard fields.count == 10,
                  let (local, localPort) = endpoint(text, fields[1], ipv6: ipv6),
                  let (remote, remotePort) = endpoint(text, fields[2], ipv6: ipv6),
                  let st = hex(text, fields[3].0, fields[3].1), let state = SocketState(rawValue: UInt8(truncatingIfNeeded: st)),
                  let uid = decimal(text, fields[7]), let inode = decimal(text, fields[9])
            else { continue }
            sockets.append(Socket(transport: transport, ipv6Table: ipv6, localAddress: local, localPort: localPort,
                                  remoteAddress: remote, remotePort: remotePort, state: state, inode: inode, uid: UInt32(truncatingIfNeeded: uid)))
        }
    }

    /// `0100007F:1F90` or 32 hex digits and a port; IPv4-mapped IPv6 comes back as IPv4.
    static func endpoint(_ t: [UInt8], _ field: (Int, Int), ipv6: Bool) -> (IPAddress, UInt16)? {
        let words = ipv6 ? 4 : 1
        let colon = field.0 + 8 * words
        guard colon < field.1, t[colon] == UInt8(ascii: ":"), let port = hex(t, colon + 1, field.1) else { return nil }
        var w: [UInt32] = []
        for k in 0..<words {
            guard let v = hex(t, field.0 + 8 * k, field.0 + 8 * k + 8) else { return nil }
            // Each word is printed as the host reads the network-order bytes.
            w.append(UInt32(bigEndian: UInt32(truncatingIfNeeded: v)))
        }
        let address: IPAddress
        if ipv6 {
            let v6 = IPAddress(ipv6High: UInt64(w[0]) << 32 | UInt64(w[1]), low: UInt64(w[2]) << 32 | UInt64(w[3]))
            address = v6.unmappedIPv4 ?? v6
        } else {
            address = IPAddress(ipv4: w[0])
        }
        return (address, UInt16(truncatingIfNeeded: port))
    }

    static func hex(_ t: [UInt8], _ from: Int, _ to: Int) -> UInt64? {
        guard to > from, to - from <= 16 else { return nil }
        var v: UInt64 = 0
        for i in from..<to {
            let c = t[i]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 65...70: d = c - 55
            case 97...102: d = c - 87
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    static func decimal(_ t: [UInt8], _ field: (Int, Int)) -> UInt64? {
        guard field.1 > field.0, field.1 - field.0 <= 19 else { return nil }
        var v: UInt64 = 0
        for i in field.0..<field.1 {
            guard t[i] >= 48 && t[i] <= 57 else { return nil }
            v = v * 10 + UInt64(t[i] - 48)
        }
        return v
    }

    /// Socket inode -> PID, from every readable `/proc/PID/fd`. Processes whose fds cannot be
    /// read (another user's, without root) are skipped: their sockets stay without owner.
    func ownersByInode() -> [UInt64: Int32] {
        var owners: [UInt64: Int32] = [:]
        guard let proc = opendir(root) else { return owners }
        defer { closedir(proc) }
        var link = [CChar](repeating: 0, count: 64)
        while let entry = readdir(proc) {
            let pid = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Int32 in
                var v: Int32 = 0
                for c in raw {
                    if c == 0 { break }
                    guard c >= 48 && c <= 57 else { return 0 }
                    v = v &* 10 &+ Int32(c - 48)
                }
                return v
            }
            guard pid > 0, let fds = opendir("\(root)/\(pid)/fd") else { continue }
            let dir = dirfd(fds)
            while let fd = readdir(fds) {
                let n = withUnsafePointer(to: fd.pointee.d_name) { name in
                    name.withMemoryRebound(to: CChar.self, capacity: 256) { readlinkat(dir, $0, &link, 63) }
                }
                // "socket:[12345]"
                guard n > 9, link[0] == 0x73, link[6] == 0x3A, link[7] == 0x5B else { continue }
                var inode: UInt64 = 0
                for k in 8..<n where link[k] >= 48 && link[k] <= 57 { inode = inode * 10 + UInt64(link[k] - 48) }
                if owners[inode] == nil { owners[inode] = pid }
            }
            closedir(fds)
        }
        return owners
    }

    func process(_ pid: Int32) -> ProcessOwner? {
        guard var name = ProcFile.text("\(root)/\(pid)/comm") else { return nil }
        if name.hasSuffix("\n") { name.removeLast() }
        var bytes: [UInt8] = []
        _ = ProcFile.readAll("\(root)/\(pid)/cmdline", into: &bytes)
        while bytes.last == 0 { bytes.removeLast() }
        let commandLine = String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return ProcessOwner(pid: pid, name: name, commandLine: commandLine)
    }
}
#endif
