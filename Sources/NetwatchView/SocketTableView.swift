import NetwatchDecode
import NetwatchHost

/// The socket table as `ss -tunap` shows it, and as JSON lines.
public enum SocketTableView {
    public static func header(_ palette: Palette) -> String {
        "\(palette.dim)Proto State        Local Address:Port                         Peer Address:Port                          PID/Program\(palette.reset)"
    }

    public static func line(_ s: Socket, to out: OutputBuffer, palette: Palette) {
        out.text(s.transport == .tcp ? palette.tcp : palette.udp)
        out.padded(s.transport.rawValue, 6)
        out.text(palette.reset)
        out.padded(s.state.name(for: s.transport), 13)
        out.padded(endpoint(s.localAddress, s.localPort), 43)
        out.padded(s.hasPeer ? endpoint(s.remoteAddress, s.remotePort) : endpoint(s.remoteAddress, nil), 43)
        owner(s, to: out)
        out.byte(10)
    }

    /// `  OPEN  tcp 10.0.0.1:40000 → 10.0.0.2:80 ESTABLISHED 1234/curl`, for --watch.
    public static func change(_ what: String, _ s: Socket, to out: OutputBuffer, palette: Palette) {
        out.string("  \(what) ")
        out.text(s.transport == .tcp ? palette.tcp : palette.udp)
        out.string(s.transport.rawValue)
        out.text(palette.reset)
        out.string(" \(endpoint(s.localAddress, s.localPort)) → \(endpoint(s.remoteAddress, s.remotePort)) \(s.state.name(for: s.transport)) ")
        owner(s, to: out)
        out.byte(10)
    }

    /// `1234/curl` (the name escaped), or `-` when the owner is unknown.
    static func owner(_ s: Socket, to out: OutputBuffer) {
        if let owner = s.owner {
            out.string("\(owner.pid)/")
            AlertWriter.safe(owner.name, to: out, json: false)
        } else {
            out.byte(UInt8(ascii: "-"))
        }
    }

    /// `10.0.0.1:80`, `[fe80::1]:80`, `0.0.0.0:*`.
    public static func endpoint(_ address: IPAddress, _ port: UInt16?) -> String {
        let p = port.map { String($0) } ?? "*"
        return address.isIPv6 ? "[\(address)]:\(p)" : "\(address):\(p)"
    }

    public static func json(_ s: Socket) -> String {
        var f = [
            "\"proto\":\"\(s.transport.rawValue)\"", "\"family\":\"\(s.localAddress.isIPv6 ? "ipv6" : "ipv4")\"",
            "\"local_ip\":\"\(s.localAddress)\"", "\"local_port\":\(s.localPort)",
            "\"remote_ip\":\"\(s.remoteAddress)\"", "\"remote_port\":\(s.remotePort)",
            "\"state\":\"\(s.state.name(for: s.transport))\"", "\"inode\":\(s.inode)", "\"uid\":\(s.uid)",
        ]
        if let o = s.owner {
            f.append("\"pid\":\(o.pid)")
            f.append("\"process\":" + AlertWriter.quoted(o.name))
            f.append("\"cmdline\":" + AlertWriter.quoted(o.commandLine))
        } else {
            f.append("\"pid\":null,\"process\":null,\"cmdline\":null")
        }
        return "{" + f.joined(separator: ",") + "}"
    }
}
