#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A savefile seen through one reusable buffer: `read` fills it a megabyte at a time, and
/// readers walk the records in it in place. Not a mapping: on this platform mapping a 1.3 GB
/// capture and unmapping it cost about 120 ms of page-table work, reading it through a 1 MB
/// buffer about 90 ms, and the copied bytes are still in cache when the packets are read.
/// (Measured in session 16 with a C reader: 210 ms mapped, 102 ms read.)
///
/// `bytes` holds the file's bytes from offset `start`; a reader asks `fill` for the bytes a
/// record needs when they run past the buffer's end.
@usableFromInline final class FileWindow {
    /// The bytes in the buffer: the file's bytes from `start`.
    @usableFromInline private(set) var bytes: UnsafeRawBufferPointer
    /// The file offset of `bytes`' first byte.
    @usableFromInline private(set) var start = 0
    /// The file's length when it was opened.
    @usableFromInline let length: Int
    private let path: String
    /// -1 for bytes the caller owns (an in-memory capture): there is nothing more to read.
    private let fd: Int32
    private var buffer: UnsafeMutableRawPointer?
    private var capacity: Int

    /// The most one record (pcap) or block (pcapng) may take: the buffer grows to hold a
    /// record whole, and a damaged length must not make it grow to gigabytes. (libpcap takes
    /// 256 KiB at most; 64 MiB leaves room for any snap length in real use.)
    @inlinable static var largestRecord: Int { 1 << 26 }

    /// What one `read` asks for: large enough that the calls cost little, small enough that
    /// the bytes stay in the second-level cache until the packets in them are read.
    static let chunk = 1 << 20

    /// Wraps bytes that outlive this object, e.g. a fuzzer's input.
    init(borrowing bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        length = bytes.count
        path = ""
        fd = -1
        buffer = nil
        capacity = 0
    }

    init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CaptureError(.unreadableFile, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw CaptureError(.unreadableFile, "cannot read \(path): \(why)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CaptureError(.unreadableFile, "cannot read \(path): not a regular file")
        }
        self.fd = fd
        self.path = path
        length = Int(info.st_size)
        capacity = min(Self.chunk, max(length, 1))
        // Page-aligned, so each read copies whole pages from the page cache.
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 4096)
        bytes = UnsafeRawBufferPointer(start: buffer, count: 0)
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        _ = try fill(from: 0, count: 0)
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer?.deallocate()
    }

    /// Makes the file's bytes `offset ..< offset + count` present in `bytes`, which then
    /// starts at `offset`; keeps every byte from `offset` on and reads more. False when the
    /// file ends first. `offset` may not lie before `start` or past the bytes held.
    /// Out of line: called once per megabyte.
    @inline(never) @usableFromInline
    func fill(from offset: Int, count: Int) throws(CaptureError) -> Bool {
        let end = start + bytes.count
        precondition(offset >= start && offset <= end, "a savefile is read forwards")
        guard offset + count <= length else { return false }
        guard fd >= 0, let old = buffer else { return true }  // borrowed bytes are all present
        let kept = end - offset
        if count > capacity {
            // A record larger than the buffer (a jumbo frame or a large snap length): room for it.
            let grown = (count + Self.chunk - 1) / Self.chunk * Self.chunk
            let new = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 4096)
            new.copyMemory(from: old + (offset - start), byteCount: kept)
            old.deallocate()
            buffer = new
            capacity = grown
        } else if kept > 0 && offset > start {
            old.copyMemory(from: old + (offset - start), byteCount: kept)
        }
        let base = buffer.unsafelyUnwrapped
        start = offset
        var have = kept
        while have < capacity && start + have < length {
            let n = read(fd, base + have, min(capacity - have, length - start - have))
            if n < 0 {
                if errno == EINTR { continue }
                throw CaptureError(.unreadableFile, "cannot read \(path) at byte \(start + have): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }  // the file shrank since it was opened
            have += n
        }
        bytes = UnsafeRawBufferPointer(start: base, count: have)
        return have >= count
    }
}
