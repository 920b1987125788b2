import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes packets to a classic pcap savefile (microsecond stamps, this host's byte order:
/// what tcpdump writes), buffered, with tcpdump's `-C` rotation: `FILE`, then `FILE1`, `FILE2`, ...
public final class PcapWriter {
    public let path: String
    public let linkType: LinkType
    private let snapLength: Int
    private let rotateBytes: Int?
    private var fd: Int32 = -1
    private var fileIndex = 0
    private var fileBytes = 0
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    public private(set) var packetsWritten = 0
    /// Packets of another link type than the file's, which classic pcap cannot hold.
    public private(set) var packetsSkipped = 0
    public private(set) var currentPath: String

    /// - Parameter rotateMegabytes: start a new file once this many million bytes are written (tcpdump `-C`).
    public init(path: String, linkType: LinkType, snapLength: Int, rotateMegabytes: Int? = nil) throws(CaptureError) {
        self.path = path
        self.linkType = linkType
        self.snapLength = max(snapLength, 1)
        rotateBytes = rotateMegabytes.map { max(1, $0) * 1_000_000 }
        buffer = .allocate(byteCount: 1 << 20, alignment: 8)
        currentPath = path
        try openFile()
    }

    deinit {
        try? close()
        buffer.deallocate()
    }

    private func openFile() throws(CaptureError) {
        currentPath = fileIndex == 0 ? path : "\(path)\(fileIndex)"
        fd = open(currentPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CaptureError(.writeFailed, "cannot write \(currentPath): \(String(cString: strerror(errno)))")
        }
        fileBytes = 0
        var header = (UInt32(0xA1B2_C3D4), UInt16(2), UInt16(4), Int32(0), UInt32(0), UInt32(snapLength), linkType.rawValue)
        try withUnsafeBytes(of: &header) { (raw) throws(CaptureError) in try append(raw) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws(CaptureError) {
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count > buffer.count {
            try writeAll(bytes)
        } else {
            UnsafeMutableRawBufferPointer(rebasing: buffer[used..<(used + bytes.count)]).copyMemory(from: bytes)
            used += bytes.count
        }
        fileBytes += bytes.count
    }

    public func write(_ packet: RawPacket) throws(CaptureError) {
        guard packet.linkType == linkType else {
            packetsSkipped += 1
            return
        }
        let captured = min(packet.bytes.count, snapLength)
        if let limit = rotateBytes, fileBytes > 24, fileBytes + 16 + captured > limit {
            try close()
            fileIndex += 1
            try openFile()
        }
        var record = (
            UInt32(truncatingIfNeeded: packet.seconds), packet.hasTime ? packet.nanoseconds / 1000 : 0,
            UInt32(captured), UInt32(max(packet.wireLength, captured))
        )
        try withUnsafeBytes(of: &record) { (raw) throws(CaptureError) in try append(raw) }
        try append(UnsafeRawBufferPointer(rebasing: packet.bytes[0..<captured]))
        packetsWritten += 1
    }

    public func flush() throws(CaptureError) {
        guard used > 0 else { return }
        let pending = UnsafeRawBufferPointer(rebasing: buffer[0..<used])
        used = 0
        try writeAll(pending)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(CaptureError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw CaptureError(.writeFailed, "cannot write \(currentPath): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    public func close() throws(CaptureError) {
        guard fd >= 0 else { return }
        defer {
            _ = Glibc.close(fd)
            fd = -1
        }
        try flush()
    }
}
