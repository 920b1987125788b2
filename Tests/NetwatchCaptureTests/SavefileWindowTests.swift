import Foundation
import NetwatchCapture
import XCTest

/// Savefiles are read through a 1 MB buffer (`FileWindow`): records that straddle its end, a
/// record larger than it, and files cut short at any point must read exactly as the same
/// bytes do held whole in memory.
final class SavefileWindowTests: XCTestCase {
    /// What a run delivered: each packet's time, lengths and bytes, then how it ended. The
    /// look-ahead (`next`, `later`) must be the packet that comes next (after next), or empty (at a buffer's end).
    private func read(_ source: PacketSource) throws -> (packets: [String], end: SourceEnd) {
        var packets: [String] = []
        var announced = UnsafeRawBufferPointer(start: nil, count: 0)
        var announcedLater = announced
        var pending = announced
        let end = try source.run({ raw in
            var sum: UInt64 = 0
            for (i, byte) in raw.bytes.enumerated() { sum = sum &* 31 &+ UInt64(byte) &+ UInt64(i & 7) }
            packets.append("\(raw.seconds).\(raw.nanoseconds) \(raw.bytes.count)/\(raw.wireLength) \(sum)")
            if announced.count > 0 && (announced.baseAddress != raw.bytes.baseAddress || announced.count != raw.bytes.count) {
                packets.append("look-ahead at packet \(packets.count - 1) was not the packet that came")
            }
            if announcedLater.count > 0 && (announcedLater.baseAddress != raw.bytes.baseAddress || announcedLater.count != raw.bytes.count) {
                packets.append("look-ahead two packets before packet \(packets.count - 1) was not the packet that came")
            }
            (announced, announcedLater, pending) = (raw.next, pending, raw.later)
            return true
        }, tick: {})
        return (packets, end)
    }

    /// Reads `bytes` from a file and from memory; both must agree.
    private func assertSameFromFileAndMemory(_ bytes: [UInt8], expectPackets: Int?, end expectedEnd: SourceEnd? = nil,
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        let path = NSTemporaryDirectory() + "netwatch-window-\(getpid())-\(bytes.count).pcap"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try read(try Savefile.open(path))
        let fromMemory = try bytes.withUnsafeBytes { buffer in
            let memory = try read(try Savefile.open(bytes: buffer, name: path))
            return memory
        }
        XCTAssertEqual(fromFile.packets.count, fromMemory.packets.count, file: file, line: line)
        if let i = (0..<min(fromFile.packets.count, fromMemory.packets.count)).first(where: { fromFile.packets[$0] != fromMemory.packets[$0] }) {
            XCTFail("\(bytes.count) bytes: record \(i) differs: \(fromFile.packets[i]) (file) vs \(fromMemory.packets[i]) (memory)", file: file, line: line)
        }
        XCTAssertEqual(fromFile.end, fromMemory.end, file: file, line: line)
        if let expectPackets { XCTAssertEqual(fromFile.packets.count, expectPackets, file: file, line: line) }
        if let expectedEnd { XCTAssertEqual(fromFile.end, expectedEnd, file: file, line: line) }
    }

    private func le32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).littleEndian) { Array($0) } }
    private func le16(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt16(v).littleEndian) { Array($0) } }

    /// Packets of sizes chosen so that record boundaries fall all over the 1 MB buffer,
    /// with one of 1.5 MB (larger than the buffer) in the middle.
    private var packetSizes: [Int] {
        var sizes: [Int] = []
        var x: UInt32 = 12345
        for i in 0..<6000 {
            x = x &* 1_103_515_245 &+ 12345
            sizes.append(i == 3000 ? 1_500_000 : 14 + Int(x >> 16) % 1500)
        }
        return sizes
    }

    private func payload(_ n: Int, _ i: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) } }

    private func pcap() -> [UInt8] {
        var file: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1] + le16(2) + le16(4) + le32(0) + le32(0) + le32(2_000_000) + le32(1)
        for (i, n) in packetSizes.enumerated() {
            file += le32(1_700_000_000 + i) + le32(i * 7 % 1_000_000) + le32(n) + le32(n + i % 3)
            file += payload(n, i)
        }
        return file
    }

    private func pcapng() -> [UInt8] {
        var file: [UInt8] = le32(0x0A0D_0D0A) + le32(28) + le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8) + le32(28)
        file += le32(1) + le32(20) + le16(1) + le16(0) + le32(0) + le32(20)  // IDB: Ethernet, no snap length
        for (i, n) in packetSizes.enumerated() {
            let padded = (n + 3) & ~3
            let total = 32 + padded
            let stamp = 1_000_000 * i + 17  // microseconds
            file += le32(6) + le32(total) + le32(0) + le32(stamp >> 32) + le32(stamp & 0xFFFF_FFFF) + le32(n) + le32(n)
            file += payload(n, i) + [UInt8](repeating: 0, count: padded - n) + le32(total)
        }
        return file
    }

    func testRecordsAcrossTheBufferReadAsInMemory() throws {
        let pcap = pcap()
        XCTAssertGreaterThan(pcap.count, 5 << 20, "the file spans several buffers")
        try assertSameFromFileAndMemory(pcap, expectPackets: packetSizes.count, end: .finished)
        try assertSameFromFileAndMemory(pcapng(), expectPackets: packetSizes.count, end: .finished)
    }

    func testFilesCutShortReadAsInMemory() throws {
        let pcap = pcap()
        let pcapng = pcapng()
        // Cuts before, inside and after the large record, and at and around buffer ends.
        for cut in [1 << 20, (1 << 20) + 7, 2 << 20, (2 << 20) - 3, pcap.count / 2, pcap.count / 2 + 100_000, pcap.count - 5] {
            try assertSameFromFileAndMemory(Array(pcap[..<cut]), expectPackets: nil)
            try assertSameFromFileAndMemory(Array(pcapng[..<min(cut, pcapng.count - 1)]), expectPackets: nil)
        }
        // A cut inside a record header and inside a packet are told apart, with the record's file offset.
        var damaged = Array(pcap[..<((3 << 20) + 5)])
        let result = try read(try { () throws -> PacketSource in
            let path = NSTemporaryDirectory() + "netwatch-window-cut-\(getpid()).pcap"
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            return try Savefile.open(path)
        }())
        guard case .truncated(let why) = result.end else { return XCTFail("expected a truncated end, got \(result.end)") }
        XCTAssertTrue(why.contains("ends in the middle of a"), why)
        XCTAssertTrue(why.contains("(after \(result.packets.count) packets)"), why)
        // A damaged length after the first megabyte is reported at its file offset.
        var offset = 24
        for n in packetSizes.prefix(2000) { offset += 16 + n }
        damaged = pcap
        damaged.replaceSubrange((offset + 8)..<(offset + 12), with: le32(5_000_000))
        let fromMemory = try damaged.withUnsafeBytes { try read(try Savefile.open(bytes: $0, name: "x")) }
        XCTAssertGreaterThan(offset, 1 << 20, "past the first buffer")
        XCTAssertEqual(fromMemory.packets.count, 2000)
        guard case .corrupt(let corrupt) = fromMemory.end else { return XCTFail("expected corrupt, got \(fromMemory.end)") }
        XCTAssertTrue(corrupt.contains("at byte \(offset)"), corrupt)
        try assertSameFromFileAndMemory(damaged, expectPackets: 2000)
    }

    /// A damaged length may not make the buffer grow to gigabytes, even when the file holds
    /// that many bytes: a record or block over 64 MiB is reported as damaged.
    func testOversizedRecordsAreRefusedNotBuffered() throws {
        let path = NSTemporaryDirectory() + "netwatch-window-huge-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let claimed = 70_000_000
        func sparse(_ head: [UInt8]) throws -> PacketSource {
            try Data(head).write(to: URL(fileURLWithPath: path))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(head.count + claimed + 64))  // zeros, without writing them
            try handle.close()
            return try Savefile.open(path)
        }
        // pcap, snap length 0xFFFFFFFF: one packet, then a record claiming 70 MB the file holds.
        var pcap: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1] + le16(2) + le16(4) + le32(0) + le32(0) + [0xFF, 0xFF, 0xFF, 0xFF] + le32(1)
        pcap += le32(1) + le32(0) + le32(60) + le32(60) + payload(60, 0)
        pcap += le32(2) + le32(0) + le32(claimed) + le32(claimed)
        let fromPcap = try read(try sparse(pcap))
        XCTAssertEqual(fromPcap.packets.count, 1)
        guard case .corrupt(let why) = fromPcap.end else { return XCTFail("expected corrupt, got \(fromPcap.end)") }
        XCTAssertTrue(why.contains("at byte 100 claims \(claimed) captured bytes, more than the 67108864 netwatch reads in one record"), why)
        // pcapng: a packet block claiming 70 MB.
        var pcapng: [UInt8] = le32(0x0A0D_0D0A) + le32(28) + le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8) + le32(28)
        pcapng += le32(1) + le32(20) + le16(1) + le16(0) + le32(0) + le32(20)
        pcapng += le32(6) + le32(claimed) + le32(0) + le32(0) + le32(0) + le32(claimed - 32) + le32(claimed - 32)
        let fromPcapng = try read(try sparse(pcapng))
        XCTAssertEqual(fromPcapng.packets.count, 0)
        guard case .corrupt(let blockWhy) = fromPcapng.end else { return XCTFail("expected corrupt, got \(fromPcapng.end)") }
        XCTAssertTrue(blockWhy.contains("the block at byte 48 claims \(claimed) bytes, more than the 67108864 netwatch reads in one block"), blockWhy)
    }
}
