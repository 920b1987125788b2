import NIOCore

/// Rows in COPY's text format (tab between fields, newline after a row, `\N` for null), the
/// fastest way into PostgreSQL. Text from the network is escaped as COPY wants: backslash,
/// tab, newline and carriage return; a NUL, which PostgreSQL text cannot hold, becomes U+FFFD.
struct CopyRows {
    var buffer: ByteBuffer
    private(set) var rows = 0
    private var first = true

    init() { buffer = ByteBuffer() }

    mutating func reset() {
        buffer.clear()
        rows = 0
        first = true
    }

    private mutating func separate() {
        if !first { buffer.writeInteger(UInt8(ascii: "\t")) }
        first = false
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("\\N")
    }

    mutating func text(_ s: String?) {
        guard let s else { return null() }
        separate()
        var plain = true
        for b in s.utf8 where b == 0x5C || b == 0x09 || b == 0x0A || b == 0x0D || b == 0 { plain = false; break }
        if plain {
            buffer.writeString(s)
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0: buffer.writeBytes([0xEF, 0xBF, 0xBD])
            default: buffer.writeInteger(b)
            }
        }
    }

    mutating func int(_ v: Int64?) {
        guard let v else { return null() }
        separate()
        buffer.writeString(String(v))
    }

    mutating func double(_ v: Double) {
        separate()
        buffer.writeString(v.isFinite ? "\(v)" : "0")
    }

    mutating func bool(_ v: Bool) {
        separate()
        buffer.writeStaticString(v ? "t" : "f")
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        rows += 1
        first = true
    }
}
