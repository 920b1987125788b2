import NetwatchDecode

/// Classic libpcap savefiles (both byte orders, micro- and nanosecond stamps), read in
/// place from a buffer the file is read into a megabyte at a time (`FileWindow`): no
/// per-packet call into libpcap, no copy per packet. Public with an
/// inlinable loop generic over its handler, so that a caller holding this type gets the loop
/// compiled around its handler: no call through a closure context per packet.
public final class PcapFileReader: PacketSource {
    @usableFromInline let file: FileWindow
    @usableFromInline let path: String
    @usableFromInline let bigEndian: Bool
    @usableFromInline let nanosecond: Bool
    @usableFromInline let snapLength: Int
    @usableFromInline let linkType: LinkType

    public var interfaceNames: [String] { [path] }
    public func statistics() -> [CaptureStatistics] { [] }

    /// Records may not claim more than this: libpcap's ceiling, or the file's snap length if
    /// larger, up to the most a record may take (`FileWindow.largestRecord`).
    @inlinable var maxCaptureLength: Int { min(max(snapLength, 262_144), FileWindow.largestRecord) }

    init(file: FileWindow, path: String) throws(CaptureError) {
        self.file = file
        self.path = path
        let b = PacketBytes(file.bytes)
        guard b.contains(0, 24) else {
            throw CaptureError(.badFile, "\(path) is not a capture file: its pcap header is cut short (\(b.count) of 24 bytes)")
        }
        switch b.u32(0) {
        case 0xA1B2_C3D4: (bigEndian, nanosecond) = (true, false)
        case 0xD4C3_B2A1: (bigEndian, nanosecond) = (false, false)
        case 0xA1B2_3C4D: (bigEndian, nanosecond) = (true, true)
        case 0x4D3C_B2A1: (bigEndian, nanosecond) = (false, true)
        default: throw CaptureError(.badFile, "\(path) is not a pcap file")
        }
        let major = b.u16(4, bigEndian: bigEndian)
        let minor = b.u16(6, bigEndian: bigEndian)
        guard major == 2 else {
            throw CaptureError(.badFile, "\(path) uses pcap format version \(major).\(minor), which netwatch cannot read (only 2.x exists today)")
        }
        snapLength = Int(b.u32(16, bigEndian: bigEndian))
        // The upper bits of the link type field carry FCS information (pcap spec, LinkType field).
        linkType = LinkType(rawValue: b.u32(20, bigEndian: bigEndian) & 0x0FFF_FFFF)
    }

    public func run(_ handler: (RawPacket) -> Bool, tick: () -> Void) throws(CaptureError) -> SourceEnd {
        let result: Result<SourceEnd, CaptureError> = withoutActuallyEscaping(handler) { handler in
            withoutActuallyEscaping(tick) { tick in
                do throws(CaptureError) { return .success(try run(ClosureHandler(handler: handler, ticker: tick))) } catch { return .failure(error) }
            }
        }
        return try result.get()
    }

    /// The captured bytes of the record at `offset` and where it ends, when it is whole in
    /// `b` and its length is one `run` accepts; else nil (`run` reads it in its turn).
    @inlinable @inline(__always)
    static func wholeRecord(_ b: PacketBytes, at offset: Int, bigEndian: Bool, maxCaptureLength: Int) -> (bytes: UnsafeRawBufferPointer, end: Int)? {
        guard b.contains(offset, 16) else { return nil }
        let captured = Int(b.u32(offset + 8, bigEndian: bigEndian))
        guard captured <= maxCaptureLength && b.contains(offset + 16, captured) else { return nil }
        return (UnsafeRawBufferPointer(start: b.buffer.baseAddress.unsafelyUnwrapped + offset + 16, count: captured), offset + 16 + captured)
    }

    /// The reader's loop around `handler`, specialised for its type where the caller knows it.
    @inlinable @inline(__always)
    public func run<Handler: RawPacketHandler>(_ handler: Handler) throws(CaptureError) -> SourceEnd {
        let file = self.file
        let maxCaptureLength = self.maxCaptureLength
        let bigEndian = self.bigEndian
        // The window's bytes, and offsets into them; `origin + offset` is the file offset.
        var b = PacketBytes(file.bytes)
        var origin = file.start
        var offset = 24 - origin
        let length = file.length
        var delivered = 0
        while origin &+ offset < length {
            if !b.contains(offset, 16) {
                guard try file.fill(from: origin + offset, count: 16) else {
                    return .truncated("\(path) ends in the middle of a record header at byte \(origin + offset) (after \(delivered) packets)")
                }
                (b, origin, offset) = (PacketBytes(file.bytes), file.start, 0)
            }
            let seconds = b.u32(offset, bigEndian: bigEndian)
            let fraction = b.u32(offset + 4, bigEndian: bigEndian)
            let captured = Int(b.u32(offset + 8, bigEndian: bigEndian))
            let wire = Int(b.u32(offset + 12, bigEndian: bigEndian))
            guard captured <= maxCaptureLength else {
                return .corrupt("\(path) is damaged: the record at byte \(origin + offset) claims \(captured) captured bytes, more than \(captured > snapLength ? "the snap length \(snapLength)" : "the \(maxCaptureLength) netwatch reads in one record") (after \(delivered) packets)")
            }
            if !b.contains(offset + 16, captured) {
                guard try file.fill(from: origin + offset, count: 16 + captured) else {
                    return .truncated("\(path) ends in the middle of a packet at byte \(origin + offset) (after \(delivered) packets)")
                }
                (b, origin, offset) = (PacketBytes(file.bytes), file.start, 0)
            }
            // Both ranges are checked above: the views are made from the base address.
            let base = b.buffer.baseAddress.unsafelyUnwrapped
            let end = b.count
            let data = offset + 16
            offset = data + captured
            ReadAhead.page(base, after: offset, end: end)
            // The next two records, when they are whole in the window: the pipeline looks ahead into them.
            var next = UnsafeRawBufferPointer(start: nil, count: 0)
            var later = next
            if let n = Self.wholeRecord(b, at: offset, bigEndian: bigEndian, maxCaptureLength: maxCaptureLength) {
                next = n.bytes
                if let l = Self.wholeRecord(b, at: n.end, bigEndian: bigEndian, maxCaptureLength: maxCaptureLength) {
                    later = l.bytes
                    // The record after that starts loading now.
                    ReadAhead.record(base, at: l.end, end: end)
                }
            }
            let packet = RawPacket(
                seconds: Int64(seconds),
                nanoseconds: nanosecond ? min(fraction, 999_999_999) : min(fraction, 999_999) &* 1000,
                bytes: UnsafeRawBufferPointer(start: base + data, count: captured),
                wireLength: max(wire, captured), linkType: linkType, interface: 0, next: next, later: later)
            delivered += 1
            if !handler.handle(packet) { return .stopped }
            if delivered & 0xFFF == 0 {
                if StopSignal.requested { return .stopped }
                handler.tick()
            }
        }
        return .finished
    }
}
