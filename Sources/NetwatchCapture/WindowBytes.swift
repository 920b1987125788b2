import NetwatchDecode

/// A `FileWindow`'s bytes addressed by file offset: the pcapng reader's checks and messages
/// speak of bytes in the file, wherever the window stands.
struct WindowBytes {
    let bytes: PacketBytes
    /// The file offset of `bytes`' first byte.
    let origin: Int

    init(_ window: FileWindow) {
        bytes = PacketBytes(window.bytes)
        origin = window.start
    }

    /// True when the file's bytes `offset ..< offset + length` are in the window.
    func contains(_ offset: Int, _ length: Int) -> Bool { bytes.contains(offset - origin, length) }
    func u8(_ offset: Int) -> UInt8 { bytes.u8(offset - origin) }
    func u32(_ offset: Int) -> UInt32 { bytes.u32(offset - origin) }
    func u16(_ offset: Int, bigEndian: Bool) -> UInt16 { bytes.u16(offset - origin, bigEndian: bigEndian) }
    func u32(_ offset: Int, bigEndian: Bool) -> UInt32 { bytes.u32(offset - origin, bigEndian: bigEndian) }

    /// The file's bytes `offset ..< offset + count`; the caller has checked the range.
    func slice(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes.buffer[(offset - origin)..<(offset - origin + count)])
    }
}
