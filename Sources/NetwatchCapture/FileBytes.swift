import NetwatchDecode

/// Savefile fields come in the byte order the writer chose; these read either.
extension PacketBytes {
    // Inlinable (not public): the pcap reader's loop is compiled into the pipeline.
    @inlinable @inline(__always) func u16(_ offset: Int, bigEndian: Bool) -> UInt16 {
        let v = u16(offset)
        return bigEndian ? v : v.byteSwapped
    }

    @inlinable @inline(__always) func u32(_ offset: Int, bigEndian: Bool) -> UInt32 {
        let v = u32(offset)
        return bigEndian ? v : v.byteSwapped
    }
}
