#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with read(2) until EOF, for procfs (which reports size 0, and whose files
/// Foundation's readers cut after the first page, PLATFORM.md) and for lists netwatch loads.
public enum ProcFile {
    /// False with `errno` set when the file cannot be opened or read (a directory: EISDIR).
    public static func readAll(_ path: String, into buffer: inout [UInt8]) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        buffer.removeAll(keepingCapacity: true)
        // procfs hands out about a page per read: read into scratch space, keep what came.
        let chunk = 1 << 16
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 8)
        defer { scratch.deallocate() }
        while true {
            let n = read(fd, scratch.baseAddress, chunk)
            if n < 0 { return false }
            if n == 0 { return true }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        }
    }

    public static func text(_ path: String) -> String? {
        var bytes: [UInt8] = []
        guard readAll(path, into: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
