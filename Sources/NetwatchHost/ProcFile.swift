#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads for procfs with read(2) until EOF: procfs reports size 0, and Foundation's
/// readers stop after the first page (PLATFORM.md).
enum ProcFile {
    static func read(_ path: String, into buffer: inout [UInt8]) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        buffer.removeAll(keepingCapacity: true)
        var chunk = 65536
        while true {
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + start, chunk) }
            if n <= 0 {
                buffer.removeLast(chunk)
                return n == 0
            }
            buffer.removeLast(chunk - n)
            chunk = min(chunk * 2, 1 << 22)
        }
    }

    static func text(_ path: String) -> String? {
        var bytes: [UInt8] = []
        guard read(path, into: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
