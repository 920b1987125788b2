import CPrivilege
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Giving up root once the privileged work is done (as tcpdump's `-Z`): after the capture
/// handles are open, the web port bound and the output files created, netwatch becomes an
/// ordinary user and keeps only the capabilities it still uses.
///
/// Capture needs CAP_NET_RAW and CAP_NET_ADMIN only to open a handle; an open handle reads
/// without them, so they are dropped. Naming the process behind each connection reads other
/// users' /proc/PID/fd: listing that directory needs CAP_DAC_READ_SEARCH, reading where each
/// descriptor points (readlink) CAP_SYS_PTRACE (ptrace read access); both are kept, on the
/// packet thread only, when live process names are wanted. Capabilities belong to threads:
/// the thread that calls `drop` keeps `keep`; every other thread keeps nothing.
public enum Privileges {
    /// The capabilities netwatch may keep, by their Linux numbers (capability(7)).
    public struct Capabilities: OptionSet, Sendable, CustomStringConvertible {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let dacReadSearch = Capabilities(rawValue: 1 << 2)
        public static let setgid = Capabilities(rawValue: 1 << 6)
        public static let setuid = Capabilities(rawValue: 1 << 7)
        public static let netBindService = Capabilities(rawValue: 1 << 10)
        public static let netAdmin = Capabilities(rawValue: 1 << 12)
        public static let netRaw = Capabilities(rawValue: 1 << 13)
        public static let sysPtrace = Capabilities(rawValue: 1 << 19)
        /// What naming other users' processes needs (see the type's comment).
        public static let processNames: Capabilities = [.dacReadSearch, .sysPtrace]

        static let names: [(UInt64, String)] = [(2, "cap_dac_read_search"), (6, "cap_setgid"), (7, "cap_setuid"), (10, "cap_net_bind_service"), (12, "cap_net_admin"), (13, "cap_net_raw"), (19, "cap_sys_ptrace")]

        public var description: String {
            if rawValue == 0 { return "none" }
            return (0..<64).filter { rawValue & (1 << $0) != 0 }.map { bit in
                Self.names.first { $0.0 == bit }?.1 ?? "cap_\(bit)"
            }.joined(separator: ",")
        }
    }

    public struct Account: Sendable, Equatable {
        public var name: String
        public var uid: uid_t
        public var gid: gid_t
    }

    public struct DropError: Error, CustomStringConvertible {
        public let description: String
    }

    public static var isRoot: Bool { geteuid() == 0 }

    /// The account named `name` (a user name or a numeric uid), from the password database.
    public static func account(_ name: String) -> Account? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        if let uid = uid_t(name) {
            guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        } else {
            guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        }
        return Account(name: String(cString: entry.pw_name), uid: entry.pw_uid, gid: entry.pw_gid)
    }

    /// Where root goes by default: the `netwatch` system user the package makes, else `nobody`.
    public static func defaultAccount() -> Account? {
        account("netwatch") ?? account("nobody")
    }

    /// Becomes `account` (when running as root; otherwise stays who it is) and lowers the
    /// capabilities to `keep`: this thread keeps `keep`, the others nothing. Files already open
    /// stay usable. After it, no exec can regain privilege (no_new_privs).
    public static func drop(to account: Account?, keep: Capabilities) throws(DropError) {
        #if os(Linux)
        var kept = keep
        if let account, geteuid() == 0, account.uid != 0 {
            var step: Int32 = 0
            guard netwatch_become(account.uid, account.gid, &step) == 0 else {
                throw failure(["", "setgroups", "setgid \(account.gid)", "setuid \(account.uid)"][Int(step)])
            }
            guard setuid(0) != 0 else { throw DropError(description: "could regain root after becoming \(account.name)") }
        } else {
            var effective: UInt64 = 0, permitted: UInt64 = 0, inheritable: UInt64 = 0
            _ = netwatch_get_capabilities(&effective, &permitted, &inheritable)
            kept = Capabilities(rawValue: permitted & keep.rawValue)
        }
        guard netwatch_set_capabilities(kept.rawValue, kept.rawValue, 0) == 0 else { throw failure("capset") }
        // Threads started before (the history writer's) are told one by one: capabilities
        // are per thread. Some block signals (the web server's event loops, libdispatch's
        // workers): as root they lost everything at setuid; otherwise the drop comes before
        // they start (see `ServiceSetup`) and they hold what this thread keeps at most.
        _ = netwatch_limit_other_threads(0)
        let allowed = geteuid() == 0 || account != nil ? othersMayKeep : othersMayKeep.union(kept)
        for (thread, held) in otherThreadsCapabilities() where !Capabilities(rawValue: held).isSubset(of: allowed) {
            let name = ProcFile.text("/proc/self/task/\(thread)/comm")?.split(separator: "\n").first.map(String.init) ?? "?"
            throw DropError(description: "thread \(thread) (\(name)) still holds \(Capabilities(rawValue: held))")
        }
        _ = netwatch_no_new_privileges()
        #else
        if let account, geteuid() == 0, account.uid != 0 {
            guard setgid(account.gid) == 0, setuid(account.uid) == 0 else { throw failure("setuid \(account.uid)") }
        }
        #endif
    }

    /// What threads made by `onThread` start with: binding a web port below 1024, and while
    /// root, changing uid and gid (glibc changes every thread's at the drop and aborts the
    /// process if one thread may not; at that change they lose them).
    public static let othersMayKeep: Capabilities = [.netBindService, .setuid, .setgid]

    /// Runs `body` on a thread of its own holding at most `othersMayKeep`, and waits for it:
    /// threads `body` starts (a server's event loops) inherit no more than that, so they
    /// never hold what the packet thread keeps.
    public static func onThread<T>(_ body: @escaping () throws -> T) throws -> T {
        let job = ThreadJob { try body() as Any }
        #if os(Linux)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<ThreadJob>.fromOpaque(raw!).takeUnretainedValue()
            var effective: UInt64 = 0, permitted: UInt64 = 0, inheritable: UInt64 = 0
            _ = netwatch_get_capabilities(&effective, &permitted, &inheritable)
            let keep = permitted & Privileges.othersMayKeep.rawValue
            _ = netwatch_set_capabilities(keep, keep, 0)
            job.result = Result { try job.body() }
            return nil
        }, Unmanaged.passUnretained(job).toOpaque())
        if started == 0 { pthread_join(thread, nil) } else { job.result = Result { try body() as Any } }
        #else
        job.result = Result { try body() as Any }
        #endif
        return try job.result!.get() as! T
    }

    /// Every other thread's permitted capabilities, from /proc/self/task (Linux).
    static func otherThreadsCapabilities() -> [(Int32, UInt64)] {
        #if os(Linux)
        let me = netwatch_thread_id()
        guard let dir = opendir("/proc/self/task") else { return [] }
        defer { closedir(dir) }
        var found: [(Int32, UInt64)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let tid = Int32(name), tid != me, let status = ProcFile.text("/proc/self/task/\(tid)/status") else { continue }
            for line in status.split(separator: "\n") where line.hasPrefix("CapPrm:") {
                if let value = UInt64(line.dropFirst(7).trimmingPrefix(while: { $0 == " " || $0 == "\t" }), radix: 16) { found.append((tid, value)) }
            }
        }
        return found
        #else
        return []
        #endif
    }

    /// Gives up every capability on the calling thread (a helper thread started after the
    /// drop from the packet thread, which would otherwise inherit what it kept).
    public static func releaseThisThread() {
        _ = netwatch_set_capabilities(0, 0, 0)
    }

    /// The calling thread's effective capabilities (Linux; empty elsewhere).
    public static func effective() -> Capabilities {
        var effective: UInt64 = 0, permitted: UInt64 = 0, inheritable: UInt64 = 0
        _ = netwatch_get_capabilities(&effective, &permitted, &inheritable)
        return Capabilities(rawValue: effective)
    }

    /// Gives `path` (and SQLite's `-wal` and `-shm` beside it) to `account` when netwatch,
    /// as root, made it: files written after the drop must be the new user's.
    public static func handOver(_ path: String, to account: Account) {
        guard geteuid() == 0 else { return }
        for p in [path, path + "-wal", path + "-shm"] {
            var st = stat()
            if lstat(p, &st) == 0 && st.st_uid == 0 && (st.st_mode & S_IFMT) == S_IFREG { _ = chown(p, account.uid, account.gid) }
        }
    }

    static func failure(_ what: String) -> DropError {
        DropError(description: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// `Privileges.onThread`'s work and its result, handed to the thread.
final class ThreadJob {
    let body: () throws -> Any
    var result: Result<Any, Error>?
    init(_ body: @escaping () throws -> Any) { self.body = body }
}
