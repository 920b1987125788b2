extension PacketDecoder {
    /// A radiotap header (its length is little-endian at offset 2), then an 802.11 frame. The
    /// flags field says whether the frame ends in an FCS and whether padding follows the header.
    func decodeRadiotap(_ f: Frame, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(0, 8) else { return p.flag(.radiotap, .truncated) }
        guard b.u8(0) == 0 else { return p.flag(.radiotap, .invalid) }
        let length = Int(UInt16(b.u8(2)) | UInt16(b.u8(3)) << 8)
        guard length >= 8 else { return p.flag(.radiotap, .invalid) }
        guard b.contains(0, length) else { return p.flag(.radiotap, .truncated) }
        // Present words chain while bit 31 is set; the fields follow the last.
        var word = 4
        let present = b.u32le(4)
        var last = present
        while last & 0x8000_0000 != 0 {
            word += 4
            guard word + 4 <= length else { return p.flag(.radiotap, .invalid) }
            last = b.u32le(word)
        }
        var field = word + 4
        var flags: UInt8 = 0
        // TSFT (bit 0) is 8 bytes aligned to 8; flags (bit 1) one byte.
        if present & 1 != 0 { field = (field + 7) & ~7 + 8 }
        if present & 2 != 0 {
            guard field < length else { return p.flag(.radiotap, .invalid) }
            flags = b.u8(field)
        }
        // An FCS at the end (flag 0x10) needs nothing: the IP length bounds the payload.
        decodeIEEE80211(f, at: length, padded: flags & 0x20 != 0, &p)
    }

    /// An 802.11 frame: data frames' LLC/SNAP payload is decoded; management and control
    /// frames, and protected (encrypted) data, are named by their frame control.
    func decodeIEEE80211(_ f: Frame, at o: Int, padded: Bool = false, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(o, 2) else { return p.flag(.ieee80211, .truncated) }
        // Frame control is little-endian: version and type in the first byte, flags the second.
        let control = UInt16(b.u8(o)) | UInt16(b.u8(o + 1)) << 8
        p.wlanFrameControl = control
        p.network = .other
        let type = control >> 2 & 0x3
        let subtype = control >> 4 & 0xF
        guard control & 0x3 == 0 else { return p.flag(.ieee80211, .invalid) }
        if type == 0, b.contains(o, 24) {
            // Management frames: destination and source, as in a data frame within a BSS.
            (p.dstMAC, p.srcMAC) = (b.mac(o + 4), b.mac(o + 10))
            p.hasMAC = true
        }
        guard type == 2 else { return }
        let toDS = control & 0x0100 != 0
        let fromDS = control & 0x0200 != 0
        var length = toDS && fromDS ? 30 : 24
        let qos = subtype & 0x8 != 0
        if qos {
            length += 2
            // The order flag on a QoS frame adds an HT control field.
            if control & 0x8000 != 0 { length += 4 }
        }
        guard b.contains(o, length) else { return p.flag(.ieee80211, .truncated) }
        // Addresses by the distribution-system bits (802.11-2020 table 9-30).
        let a1 = b.mac(o + 4), a2 = b.mac(o + 10), a3 = b.mac(o + 16)
        switch (toDS, fromDS) {
        case (false, false): (p.dstMAC, p.srcMAC) = (a1, a2)
        case (false, true): (p.dstMAC, p.srcMAC) = (a1, a3)
        case (true, false): (p.dstMAC, p.srcMAC) = (a3, a2)
        case (true, true): (p.dstMAC, p.srcMAC) = (a3, b.mac(o + 24))
        }
        p.hasMAC = true
        // Null data (subtype 4, 12) carries nothing; protected frames carry ciphertext.
        guard subtype & 0x4 == 0, control & 0x4000 == 0 else { return }
        var payload = o + length
        if padded { payload = (payload + 3) & ~3 }
        decodeLLC(f, at: payload, &p)
    }
}
