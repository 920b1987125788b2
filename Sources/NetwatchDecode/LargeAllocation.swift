#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zeroed memory for the big per-packet tables (flows, their index, counters), mapped
/// directly and, on Linux, backed by transparent huge pages where the kernel allows: random
/// probes into tens of megabytes otherwise miss the TLB on nearly every packet. Pages are
/// touched (and cost memory) only as the table fills.
public enum LargeAllocation {
    public static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count * MemoryLayout<T>.stride)
        #if os(Linux)
        let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { fatalError("netwatch: out of memory (\(bytes) bytes)") }
        if bytes >= 2 << 20 { _ = madvise(mapped, bytes, 14 /* MADV_HUGEPAGE */) }
        return mapped.bindMemory(to: T.self, capacity: count)
        #else
        return calloc(count, MemoryLayout<T>.stride)!.bindMemory(to: T.self, capacity: count)
        #endif
    }

    public static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
        #if os(Linux)
        munmap(pointer, max(1, count * MemoryLayout<T>.stride))
        #else
        free(pointer)
        #endif
    }
}
