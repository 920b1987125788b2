#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who is served first when the cores are busy: `monitor` lowers the priority (nice) of its
/// other threads (the web server's, name lookups) below the packet thread and the history
/// writer's, so that dashboard clients and API load slow the pages before they slow capture.
/// Linux only (threads are tasks under /proc/self/task); elsewhere nothing changes.
public enum ThreadPriority {
    /// Sets `nice` on every thread of this process but the main one and those whose name
    /// starts with one of `keep`; returns how many it changed. Lowering one's own priority
    /// needs no privilege. Threads made later are not touched: call it again.
    @discardableResult
    public static func lowerOthers(keep: [String], nice: Int32 = 10) -> Int {
        #if os(Linux)
        let pid = getpid()
        guard let dir = opendir("/proc/self/task") else { return 0 }
        defer { closedir(dir) }
        var changed = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let tid = Int32(name), tid != pid else { continue }
            let comm = ProcFile.text("/proc/self/task/\(tid)/comm") ?? ""
            if keep.contains(where: { comm.hasPrefix($0) }) { continue }
            errno = 0
            let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid))
            if errno == 0 && current < nice && setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid), nice) == 0 { changed += 1 }
        }
        return changed
        #else
        return 0
        #endif
    }

    /// Names the calling thread as the kernel shows it (`comm`; 15 bytes kept), by writing
    /// /proc/thread-self/comm (Swift cannot call the variadic prctl).
    public static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var bytes = Array(name.utf8.prefix(15))
        _ = write(fd, &bytes, bytes.count)
        close(fd)
        #endif
    }
}
