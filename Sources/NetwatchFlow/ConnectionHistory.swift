import NetwatchDecode

/// Zeek's connection `history`: one letter per event kind the first time each side shows it,
/// upper case for the originator, lower case for the responder, in the order seen.
/// S SYN, H SYN-ACK, A pure ACK, D data, F FIN, R RST; a leading ^ when the roles were
/// flipped from the first packet's direction (a SYN-ACK, or a reply from a likely server port).
public struct ConnectionHistory: Sendable, Equatable {
    /// Up to 12 letters, packed; `seen` has one bit per letter and side, and `flippedBit`.
    @usableFromInline var letters: UInt64 = 0
    @usableFromInline var count: UInt8 = 0
    @usableFromInline var seen: UInt16 = 0

    public init() {}

    @usableFromInline static var flippedBit: UInt16 { 0x8000 }

    /// Zeek's ^: the originator is not the first packet's sender.
    public var isFlipped: Bool { seen & Self.flippedBit != 0 }

    @inlinable mutating func markFlipped() { seen |= Self.flippedBit }

    private static let order: [UInt8] = Array("SHADFR".utf8)

    @inlinable @inline(always)
    mutating func record(_ letter: Int, originator: Bool) {
        let bit = UInt16(1) << UInt16(letter * 2 + (originator ? 0 : 1))
        guard seen & bit == 0, count < 12 else { return }
        seen |= bit
        letters |= UInt64(letter * 2 + (originator ? 0 : 1) + 1) << UInt64(count * 5)
        count += 1
    }

    /// The letters a TCP segment adds.
    @inlinable @inline(always)
    mutating func record(_ flags: TCPFlags, payload: Int, originator: Bool) {
        if flags.contains(.syn) {
            record(flags.contains(.ack) ? 1 : 0, originator: originator)
        } else if flags.contains(.ack) && payload == 0 && !flags.contains(.fin) && !flags.contains(.rst) {
            record(2, originator: originator)
        }
        if payload > 0 { record(3, originator: originator) }
        if flags.contains(.fin) { record(4, originator: originator) }
        if flags.contains(.rst) { record(5, originator: originator) }
    }

    /// Payload seen on a datagram flow (Zeek writes D/d for UDP too).
    @inlinable @inline(always) mutating func recordData(originator: Bool) { record(3, originator: originator) }

    public var text: String {
        var out = [UInt8]()
        if isFlipped { out.append(UInt8(ascii: "^")) }
        for k in 0..<Int(count) {
            let code = Int((letters >> UInt64(k * 5)) & 31) - 1
            let letter = Self.order[code / 2]
            out.append(code % 2 == 0 ? letter : letter | 0x20)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Zeek's RSTOS0 test `^S[^HAFGIQ]*R`: a SYN, then a reset before any answer or ACK.
    var isSYNThenReset: Bool {
        let t = Array(text.utf8)
        guard t.first == UInt8(ascii: "S") else { return false }
        for c in t.dropFirst() {
            if c == UInt8(ascii: "R") { return true }
            if "HAFGIQ".utf8.contains(c) { return false }
        }
        return false
    }
}
