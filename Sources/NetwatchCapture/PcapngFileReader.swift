import NetwatchDecode

/// pcapng savefiles (either byte order, several sections, several interfaces each with its
/// own link type, snap length and timestamp resolution), read in place from a buffer the file
/// is read into a megabyte at a time (`FileWindow`); a block is whole in it before it is read.
final class PcapngFileReader: PacketSource {
    private struct Interface {
        var linkType: LinkType
        var snapLength: Int
        /// Timestamp units per second (if_tsresol) and seconds added (if_tsoffset).
        var unitsPerSecond: UInt64 = 1_000_000
        var offsetSeconds: Int64 = 0
        var globalIndex: Int
    }

    private let file: FileWindow
    private let path: String
    private(set) var interfaceNames: [String] = []
    func statistics() -> [CaptureStatistics] { [] }

    init(file: FileWindow, path: String) throws(CaptureError) {
        self.file = file
        self.path = path
        let b = WindowBytes(file)
        guard b.contains(0, 28), b.u32(0) == 0x0A0D_0D0A else {
            throw CaptureError(.badFile, "\(path) is not a pcapng file: its section header is missing or cut short")
        }
        // Check the first section header now, so a broken file is refused before anything runs.
        var probe = Section()
        if case .corrupt(let why) = readSectionHeader(b, at: 0, into: &probe) {
            throw CaptureError(.badFile, "\(path) is not a readable pcapng file: \(why)")
        }
    }

    private struct Section {
        var bigEndian = false
        var interfaces: [Interface] = []
    }

    private enum BlockResult {
        case ok(Int)  // total length
        case corrupt(String)
        case truncated(String)
    }

    /// Reads and checks an SHB at `offset`: byte-order magic, version, and the block length
    /// repeated in its trailer.
    private func readSectionHeader(_ b: WindowBytes, at offset: Int, into section: inout Section) -> BlockResult {
        guard b.contains(offset, 28) else { return .truncated("the section header at byte \(offset) is cut short") }
        guard let bigEndian = Self.isBigEndian(magic: b.u32(offset + 8)) else {
            return .corrupt("the section header at byte \(offset) has no valid byte-order magic")
        }
        section.bigEndian = bigEndian
        let major = b.u16(offset + 12, bigEndian: section.bigEndian)
        guard major == 1 else {
            return .corrupt("the section at byte \(offset) has version \(major), which netwatch cannot read")
        }
        section.interfaces = []
        return checkBlockLength(b, at: offset, bigEndian: section.bigEndian, minimum: 28)
    }

    /// A section header's byte-order magic, read big-endian: whether the section is; nil when
    /// the magic is neither.
    private static func isBigEndian(magic: UInt32) -> Bool? {
        switch magic {
        case 0x1A2B_3C4D: return true
        case 0x4D3C_2B1A: return false
        default: return nil
        }
    }

    private func checkBlockLength(_ b: WindowBytes, at offset: Int, bigEndian: Bool, minimum: Int) -> BlockResult {
        guard b.contains(offset, 8) else { return .truncated("the file ends inside the block header at byte \(offset)") }
        let total = Int(b.u32(offset + 4, bigEndian: bigEndian))
        guard total >= minimum, total % 4 == 0 else {
            return .corrupt("the block at byte \(offset) has an impossible length \(total)")
        }
        guard total <= FileWindow.largestRecord else {
            return .corrupt("the block at byte \(offset) claims \(total) bytes, more than the \(FileWindow.largestRecord) netwatch reads in one block")
        }
        guard b.contains(offset, total) else {
            return .truncated("the block at byte \(offset) needs \(total) bytes, only \(file.length - offset) remain")
        }
        guard Int(b.u32(offset + total - 4, bigEndian: bigEndian)) == total else {
            return .corrupt("block total length in header and trailer don't match at byte \(offset)")
        }
        return .ok(total)
    }

    /// Walks the options area of a block; returns false when an option runs past its block.
    private func forEachOption(_ b: WindowBytes, from start: Int, to end: Int, bigEndian: Bool, _ body: (UInt16, Int, Int) -> Void) -> Bool {
        var o = start
        while o + 4 <= end {
            let code = b.u16(o, bigEndian: bigEndian)
            let length = Int(b.u16(o + 2, bigEndian: bigEndian))
            if code == 0 { return true }
            guard o + 4 + length <= end else { return false }
            body(code, o + 4, length)
            o += 4 + (length + 3) & ~3
        }
        return true
    }

    /// Brings the block at `offset` whole into the window when the file holds it, so the
    /// checks below read it in place; a block the file cannot hold is left for them to report.
    private func makeWhole(at offset: Int, in b: inout WindowBytes, bigEndian: Bool) throws(CaptureError) {
        let header = min(12, file.length - offset)
        if !b.contains(offset, header) {
            _ = try file.fill(from: offset, count: header)
            b = WindowBytes(file)
        }
        guard b.contains(offset, 8) else { return }
        var big = bigEndian
        // A section header's length is in the byte order it declares.
        if b.u32(offset) == 0x0A0D_0D0A && b.contains(offset, 12) { big = Self.isBigEndian(magic: b.u32(offset + 8)) ?? big }
        let total = Int(b.u32(offset + 4, bigEndian: big))
        if total <= min(file.length - offset, FileWindow.largestRecord) && !b.contains(offset, total) {
            _ = try file.fill(from: offset, count: total)
            b = WindowBytes(file)
        }
    }

    func run(_ handler: (RawPacket) -> Bool, tick: () -> Void) throws(CaptureError) -> SourceEnd {
        var b = WindowBytes(file)
        var section = Section()
        var offset = 0
        var delivered = 0
        interfaceNames = []
        func located(_ why: String) -> String { "\(path) is damaged: \(why) (after \(delivered) packets)" }
        func cut(_ why: String) -> String { "\(path) is cut short: \(why) (after \(delivered) packets)" }

        while offset < file.length {
            try makeWhole(at: offset, in: &b, bigEndian: section.bigEndian)
            guard b.contains(offset, 8) else { return .truncated(cut("the file ends inside the block header at byte \(offset)")) }
            let type = b.u32(offset, bigEndian: section.bigEndian)
            let total: Int
            if b.u32(offset) == 0x0A0D_0D0A {
                switch readSectionHeader(b, at: offset, into: &section) {
                case .ok(let t): total = t
                case .corrupt(let why): return .corrupt(located(why))
                case .truncated(let why): return .truncated(cut(why))
                }
                guard forEachOption(b, from: offset + 24, to: offset + total - 4, bigEndian: section.bigEndian, { _, _, _ in }) else {
                    return .corrupt(located("an option of the section header at byte \(offset) runs past its block"))
                }
                offset += total
                continue
            }
            switch checkBlockLength(b, at: offset, bigEndian: section.bigEndian, minimum: 12) {
            case .ok(let t): total = t
            case .corrupt(let why): return .corrupt(located(why))
            case .truncated(let why): return .truncated(cut(why))
            }
            let big = section.bigEndian
            let bodyEnd = offset + total - 4
            switch type {
            case 1:  // Interface Description Block
                guard total >= 20 else { return .corrupt(located("the interface block at byte \(offset) is too short")) }
                var interface = Interface(
                    linkType: LinkType(rawValue: UInt32(b.u16(offset + 8, bigEndian: big))),
                    snapLength: Int(b.u32(offset + 12, bigEndian: big)),
                    globalIndex: interfaceNames.count)
                var name = "interface \(interfaceNames.count)"
                let optionsOK = forEachOption(b, from: offset + 16, to: bodyEnd, bigEndian: big) { code, at, length in
                    switch code {
                    case 2 where length > 0:  // if_name
                        name = String(decoding: b.slice(at, length), as: UTF8.self)
                    case 9 where length >= 1:  // if_tsresol
                        let v = b.u8(at)
                        let exponent = UInt64(v & 0x7F)
                        if v & 0x80 != 0 {
                            interface.unitsPerSecond = exponent < 64 ? 1 << exponent : 1
                        } else if exponent <= 19 {
                            var units: UInt64 = 1
                            for _ in 0..<exponent { units *= 10 }
                            interface.unitsPerSecond = units
                        }
                    case 14 where length >= 8:  // if_tsoffset
                        interface.offsetSeconds = Int64(bitPattern: UInt64(b.u32(at, bigEndian: big)) << 32 | UInt64(b.u32(at + 4, bigEndian: big)))
                        if !big {
                            interface.offsetSeconds = Int64(bitPattern: UInt64(b.u32(at + 4, bigEndian: big)) << 32 | UInt64(b.u32(at, bigEndian: big)))
                        }
                    default: break
                    }
                }
                guard optionsOK else { return .corrupt(located("an option of the interface block at byte \(offset) runs past its block")) }
                if interface.unitsPerSecond == 0 { interface.unitsPerSecond = 1_000_000 }
                section.interfaces.append(interface)
                interfaceNames.append(name)
            case 6, 2:  // Enhanced Packet Block; obsolete Packet Block
                guard total >= 32 else { return .corrupt(located("the packet block at byte \(offset) is too short")) }
                let id = type == 6 ? Int(b.u32(offset + 8, bigEndian: big)) : Int(b.u16(offset + 8, bigEndian: big))
                guard id < section.interfaces.count else {
                    return .corrupt(located("the packet block at byte \(offset) names interface \(id), which was never described"))
                }
                let interface = section.interfaces[id]
                let stamp = UInt64(b.u32(offset + 12, bigEndian: big)) << 32 | UInt64(b.u32(offset + 16, bigEndian: big))
                let captured = Int(b.u32(offset + 20, bigEndian: big))
                let wire = Int(b.u32(offset + 24, bigEndian: big))
                guard offset + 28 + captured <= bodyEnd else {
                    return .corrupt(located("the packet block at byte \(offset) claims \(captured) captured bytes, more than the block holds"))
                }
                let (seconds, nanos) = Self.split(stamp, interface)
                let next = Self.packet(b, at: offset + total, section, linkType: interface.linkType)
                let packet = RawPacket(
                    seconds: seconds, nanoseconds: nanos,
                    bytes: b.slice(offset + 28, captured),
                    wireLength: max(wire, captured), linkType: interface.linkType, interface: interface.globalIndex,
                    next: next.bytes, later: next.end > 0 ? Self.packet(b, at: next.end, section, linkType: interface.linkType).bytes : next.bytes)
                delivered += 1
                if !handler(packet) { return .stopped }
            case 3:  // Simple Packet Block: interface 0, no timestamp
                guard let interface = section.interfaces.first, total >= 16 else {
                    return .corrupt(located("the simple packet block at byte \(offset) comes before any interface"))
                }
                let wire = Int(b.u32(offset + 8, bigEndian: big))
                var captured = min(wire, bodyEnd - (offset + 12))
                if interface.snapLength > 0 { captured = min(captured, interface.snapLength) }
                let packet = RawPacket(
                    seconds: 0, nanoseconds: RawPacket.untimed,
                    bytes: b.slice(offset + 12, captured),
                    wireLength: max(wire, captured), linkType: interface.linkType, interface: interface.globalIndex)
                delivered += 1
                if !handler(packet) { return .stopped }
            default:
                break  // name resolution, statistics, custom blocks: nothing to show
            }
            offset += total
            if delivered & 0xFFF == 0 && delivered > 0 {
                if StopSignal.requested { return .stopped }
                tick()
            }
        }
        return .finished
    }

    /// The captured bytes of the block at `offset` when it is a whole Enhanced Packet Block on
    /// an interface of `linkType`, and where the block ends; else empty, and 0: the pipeline's
    /// look at the packets to come (`RawPacket.next`, `later`). Anything else waits for its
    /// turn, and its checks, in `run`. As in the pcap reader (`ReadAhead`), it requests the
    /// line a page ahead and the block after that packet.
    private static func packet(_ b: WindowBytes, at offset: Int, _ section: Section, linkType: LinkType) -> (bytes: UnsafeRawBufferPointer, end: Int) {
        let none = (bytes: UnsafeRawBufferPointer(start: nil, count: 0), end: 0)
        let big = section.bigEndian
        guard let base = b.bytes.buffer.baseAddress else { return none }
        let end = b.bytes.count
        ReadAhead.page(base, after: offset - b.origin, end: end)
        guard b.contains(offset, 28), b.u32(offset, bigEndian: big) == 6 else { return none }
        let total = Int(b.u32(offset + 4, bigEndian: big))
        let id = Int(b.u32(offset + 8, bigEndian: big))
        let captured = Int(b.u32(offset + 20, bigEndian: big))
        guard total >= 32, b.contains(offset, total), captured <= total - 32, id < section.interfaces.count,
            section.interfaces[id].linkType == linkType
        else { return none }
        ReadAhead.record(base, at: offset + total - b.origin, end: end)
        return (b.slice(offset + 28, captured), offset + total)
    }

    /// Splits a pcapng timestamp in interface units into seconds and nanoseconds.
    private static func split(_ stamp: UInt64, _ interface: Interface) -> (Int64, UInt32) {
        let units = interface.unitsPerSecond
        let seconds = stamp / units
        let fraction = stamp % units
        let (high, low) = fraction.multipliedFullWidth(by: 1_000_000_000)
        let nanos = units.dividingFullWidth((high, low)).quotient
        return (Int64(truncatingIfNeeded: seconds) &+ interface.offsetSeconds, UInt32(truncatingIfNeeded: nanos))
    }
}
