#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only: readers walk it in place instead of copying records.
@usableFromInline final class MappedFile {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    private let length: Int
    /// False for bytes the caller owns (an in-memory capture): nothing to unmap.
    private let mapped: Bool

    /// Wraps bytes that outlive this object, e.g. a fuzzer's input.
    init(borrowing bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        length = bytes.count
        mapped = false
    }

    init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CaptureError(.unreadableFile, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw CaptureError(.unreadableFile, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CaptureError(.unreadableFile, "cannot read \(path): not a regular file")
        }
        length = Int(info.st_size)
        mapped = length > 0
        if length == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw CaptureError(.unreadableFile, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        _ = madvise(base, length, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: length)
    }

    deinit {
        if mapped, let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }
}
