/// Opens a capture file by its magic number, not its name: pcap (either byte order, µs or ns)
/// and pcapng are read in place from a buffer (`FileWindow`); `-` reads standard input through libpcap.
public enum Savefile {
    public static func open(_ path: String) throws(CaptureError) -> PacketSource {
        if path == "-" { return try StreamSource(path: path) }
        return try open(try FileWindow(path: path), path: path)
    }

    /// A capture already in memory; `bytes` must outlive the source. `name` appears in messages.
    public static func open(bytes: UnsafeRawBufferPointer, name: String) throws(CaptureError) -> PacketSource {
        try open(FileWindow(borrowing: bytes), path: name)
    }

    private static func open(_ file: FileWindow, path: String) throws(CaptureError) -> PacketSource {
        let b = file.bytes
        guard b.count >= 4 else {
            throw CaptureError(.badFile, b.isEmpty ? "\(path) is empty, not a capture file" : "\(path) is too short to be a capture file")
        }
        let magic = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
        switch magic {
        case 0x0A0D_0D0A:
            return try PcapngFileReader(file: file, path: path)
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1:
            return try PcapFileReader(file: file, path: path)
        default:
            if b[0] == 0x1F && b[1] == 0x8B {
                throw CaptureError(.badFile, "\(path) is gzip-compressed: gunzip it first (or: zcat \(path) | netwatch -r -)")
            }
            throw CaptureError(.badFile, "\(path) is not a pcap or pcapng file (unknown magic number 0x\(String(magic, radix: 16)))")
        }
    }
}
