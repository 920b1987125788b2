import Foundation
import XCTest

/// Two test hosts in network namespaces joined by a veth pair, addresses 10.77.N.1 and
/// 10.77.N.2, no default route: traffic between them never leaves this machine. IPv6 is off
/// so link-up chatter (DAD, MLD) does not make captures depend on timing.
public final class TestHosts {
    public let a: String
    public let b: String
    public let interfaceA: String
    public let interfaceB: String
    public let addressA: String
    public let addressB: String
    private var background: [Process] = []

    /// `ipv6`: leave IPv6 on (for tests of IPv6 sockets; captures then see link-up chatter).
    public init(ipv6: Bool = false) throws {
        guard isRoot else { throw XCTSkip("network-namespace test hosts need root") }
        guard which("ip") != nil else { throw XCTSkip("ip (iproute2) is not installed") }
        let tag = String(UInt32.random(in: 0..<0xFFFF_FFFF), radix: 36)
        let subnet = Int.random(in: 1...250)
        a = "nwa-\(tag)"
        b = "nwb-\(tag)"
        interfaceA = "nwva\(tag.prefix(6))"
        interfaceB = "nwvb\(tag.prefix(6))"
        addressA = "10.77.\(subnet).1"
        addressB = "10.77.\(subnet).2"
        do {
            try shell("""
                ip netns add \(a) && ip netns add \(b) && \(ipv6 ? "" : """
                ip netns exec \(a) sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
                ip netns exec \(b) sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
                """)
                ip link add \(interfaceA) netns \(a) type veth peer name \(interfaceB) netns \(b) &&
                ip -n \(a) addr add \(addressA)/24 dev \(interfaceA) && ip -n \(b) addr add \(addressB)/24 dev \(interfaceB) &&
                ip -n \(a) link set \(interfaceA) up && ip -n \(b) link set \(interfaceB) up &&
                ip -n \(a) link set lo up && ip -n \(b) link set lo up
                """)
        } catch {
            tearDown()
            throw XCTSkip("cannot create network namespaces here: \(error)")
        }
    }

    deinit { tearDown() }

    public func tearDown() {
        for p in background where p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        background = []
        _ = try? shell("ip netns del \(a) 2>/dev/null; ip netns del \(b) 2>/dev/null; true")
    }

    /// Runs a shell command inside `host`, waiting for it.
    @discardableResult
    public func exec(_ host: String, _ command: String) throws -> String {
        try shell("ip netns exec \(host) sh -c '\(command.replacingOccurrences(of: "'", with: "'\\''"))'")
    }

    /// Starts a program inside `host` in the background; stopped at tear-down at the latest.
    public func start(_ host: String, _ arguments: [String], output: URL? = nil, error: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: which("ip")!)
        process.arguments = ["netns", "exec", host] + arguments
        process.standardInput = FileHandle.nullDevice
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        if let error {
            _ = FileManager.default.createFile(atPath: error.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: error)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        background.append(process)
        return process
    }

    /// Sends SIGINT (what Ctrl+C sends) and waits up to `timeout` seconds for the exit.
    public static func interrupt(_ process: Process, timeout: TimeInterval = 30) {
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
    }
}

public struct ShellError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

@discardableResult
public func shell(_ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw ShellError(description: "`\(command)` exited \(process.terminationStatus): \(text)")
    }
    return text
}

/// Waits until `file` contains `text` (a program's "ready" line), up to `timeout` seconds.
public func waitFor(_ text: String, in file: URL, timeout: TimeInterval = 10) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let data = try? Data(contentsOf: file), String(decoding: data, as: UTF8.self).contains(text) { return true }
        usleep(50_000)
    }
    return false
}

/// A tiny DNS server for test hosts: answers every A query with 10.77.0.99 (python3).
/// Holds N TCP connections on loopback (half IPv4, half IPv6, with their listeners) and a few
/// unconnected and connected UDP sockets; prints "ready" and sleeps. Argument: N.
public let socketHolderScript = """
import socket, sys, time, resource
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (4 * n + 1024, 4 * n + 1024))
keep = []
for fam, addr, port in ((socket.AF_INET, "127.0.0.1", 5000), (socket.AF_INET6, "::1", 5001)):
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port)); srv.listen(4096); keep.append(srv)
    for i in range(n // 2):
        c = socket.socket(fam, socket.SOCK_STREAM); c.connect((addr, port)); keep.append(c)
        s, _ = srv.accept(); keep.append(s)
for fam, addr, port in ((socket.AF_INET, "127.0.0.1", 6000), (socket.AF_INET6, "::1", 6001)):
    u = socket.socket(fam, socket.SOCK_DGRAM); u.bind((addr, port)); keep.append(u)
    for i in range(3):
        c = socket.socket(fam, socket.SOCK_DGRAM); c.connect((addr, port)); keep.append(c)
print("ready", flush=True)
time.sleep(3600)
"""

/// The socket table as ss and psutil see it, one normalised line per socket:
/// `proto local_ip local_port remote_ip remote_port state pid` (remote `* 0` when none).
/// Argument: "ss" or "psutil".
public let socketOracleScript = """
import sys, subprocess, socket
def norm_state(proto, state, has_peer):
    state = {"ESTAB": "ESTABLISHED", "TIME-WAIT": "TIME_WAIT", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
             "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK"}.get(state, state)
    if proto == "udp": state = "ESTABLISHED" if has_peer else "UNCONN"
    return state
def split(ep):
    host, port = ep.rsplit(":", 1)
    host = host.strip("[]").split("%")[0]
    return host, port
out = []
if sys.argv[1] == "ss":
    for line in subprocess.run(["ss", "-tunapH"], capture_output=True, text=True).stdout.splitlines():
        f = line.split()
        proto, state, local, peer = f[0], f[1], f[4], f[5]
        pid = "-"
        if len(f) > 6 and "pid=" in f[6]: pid = f[6].split("pid=")[1].split(",")[0]
        lh, lp = split(local); rh, rp = split(peer)
        has_peer = rp != "*"
        if not has_peer: rh, rp = "*", "0"
        out.append(f"{proto} {lh} {lp} {rh} {rp} {norm_state(proto, state, has_peer)} {pid}")
else:
    import psutil
    for c in psutil.net_connections("inet"):
        proto = "tcp" if c.type == socket.SOCK_STREAM else "udp"
        rh, rp = (c.raddr.ip, str(c.raddr.port)) if c.raddr else ("*", "0")
        out.append(f"{proto} {c.laddr.ip} {c.laddr.port} {rh} {rp} {norm_state(proto, c.status, bool(c.raddr))} {c.pid if c.pid else '-'}")
print("\\n".join(sorted(out)))
"""

public let dnsResponderScript = """
    import socket, sys
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], 53))
    print("ready", flush=True)
    while True:
        q, peer = s.recvfrom(512)
        if len(q) < 12: continue
        end = 12
        while end < len(q) and q[end] != 0: end += q[end] + 1
        question = q[12:end + 5]
        answer = b"\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x00\\x3c\\x00\\x04" + bytes([10, 77, 0, 99])
        s.sendto(q[:2] + b"\\x81\\x80" + q[4:6] + b"\\x00\\x01\\x00\\x00\\x00\\x00" + question + answer, peer)
    """

/// Runs a tmux command, returning what it printed. A new session may start tmux's server,
/// which outlives the call: Foundation's `Process` was seen never to reap the shell then (and
/// a pipe would never reach EOF), so `new-session` goes through `system()`, which waits with
/// waitpid itself, output to /dev/null.
@discardableResult
public func tmux(_ arguments: String) throws -> String {
    guard arguments.hasPrefix("new-session") else { return try shell("tmux \(arguments)") }
    // Tried again: once in a full-suite run (stop 34) a new session failed to start, alone never.
    var status: Int32 = 0
    for attempt in 0..<3 {
        if attempt > 0 { usleep(500_000) }
        status = system("tmux \(arguments) </dev/null >/dev/null 2>&1")
        if status == 0 { return "" }
    }
    throw ShellError(description: "tmux \(arguments) exited \(status) (three attempts)")
}
