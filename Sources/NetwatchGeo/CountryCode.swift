/// An ISO 3166 alpha-2 country code ("US"), two ASCII letters packed in 16 bits.
public struct CountryCode: Hashable, Sendable, CustomStringConvertible {
    public let packed: UInt16

    public init(packed: UInt16) { self.packed = packed }

    /// Nil unless the text is exactly two ASCII letters (upper-cased).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 2, let a = Self.letter(bytes[0]), let b = Self.letter(bytes[1]) else { return nil }
        packed = UInt16(a) << 8 | UInt16(b)
    }

    static func letter(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - 32
        default: return nil
        }
    }

    public var description: String {
        String(decoding: [UInt8(packed >> 8), UInt8(packed & 0xFF)], as: UTF8.self)
    }
}
