import NetwatchDecode
import NetwatchHost
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Addresses and networks to alarm on, loaded from the list formats people have: one IP or
/// CIDR per line, FireHOL `.netset`/`.ipset`, Spamhaus DROP (`1.2.3.0/24 ; SBL123`), with `#`
/// and `;` comments, IPv4 and IPv6. Lookups search sorted disjoint ranges.
public struct Blocklist: Sendable {
    public private(set) var entries: [BlocklistEntry] = []
    /// Lines that were not an address or network, as `file:line: message`; they are skipped.
    public private(set) var problems: [String] = []
    /// Entries per file, in load order.
    public private(set) var files: [(path: String, entries: Int)] = []
    private var ranges = AddressRanges()
    private var v4Blocks: [(start: UInt32, end: UInt32, entry: Int32)] = []
    private var v6Blocks: [(start: UInt128, end: UInt128, entry: Int32)] = []

    public init() {}

    /// Loads each file; a file that cannot be read is an error naming it.
    public init(paths: [String]) throws(BlocklistError) {
        for path in paths { try load(path: path) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Disjoint ranges after merging (for the benchmark and tests).
    public var rangeCount: Int { ranges.count }

    public mutating func load(path: String) throws(BlocklistError) {
        guard let text = ProcFile.text(path) else {
            throw BlocklistError(message: "cannot read block list \(path): \(String(cString: strerror(errno)))")
        }
        load(text: text, name: path)
    }

    /// Parses list text; `name` names the file in entries and problems. Lines are cut on their
    /// UTF-8 bytes (the separators are ASCII): by `Character`, a 4,500-line list took 74 M
    /// instructions (about 25 ms) to load.
    public mutating func load(text: String, name: String) {
        let before = entries.count
        var lineNumber = 0
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
            var note = ""
            if let semicolon = line.firstIndex(of: UInt8(ascii: ";")) {
                note = Self.trimmed(line[line.index(after: semicolon)...])
                line = line[..<semicolon]
            }
            let network = Self.trimmed(line)
            if network.isEmpty { continue }
            guard let block = Self.parseNetwork(network) else {
                problems.append("\(name):\(lineNumber): not an IP address or CIDR network: \(Self.quoted(network))")
                continue
            }
            let index = Int32(entries.count)
            entries.append(BlocklistEntry(file: name, line: lineNumber, network: network, note: note))
            switch block {
            case .v4(let start, let end): v4Blocks.append((start, end, index))
            case .v6(let start, let end): v6Blocks.append((start, end, index))
            }
        }
        files.append((name, entries.count - before))
        ranges = AddressRanges(v4: v4Blocks, v6: v6Blocks)
    }

    /// The bytes without leading and trailing spaces, tabs and carriage returns, as a string
    /// (invalid UTF-8 repaired, so a damaged line is still quoted in its message).
    static func trimmed(_ bytes: Substring.UTF8View) -> String {
        var s = bytes[...]
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        while let c = s.first, blank(c) { s.removeFirst() }
        while let c = s.last, blank(c) { s.removeLast() }
        return String(decoding: s, as: UTF8.self)
    }

    /// The entry that lists `address` (the most specific one), if any.
    @inline(__always)
    public func lookup(_ address: IPAddress) -> BlocklistEntry? {
        let i = ranges.lookup(address)
        return i < 0 ? nil : entries[Int(i)]
    }

    @inline(__always)
    public func contains(_ address: IPAddress) -> Bool {
        ranges.lookup(address) >= 0
    }

    enum Block {
        case v4(UInt32, UInt32)
        case v6(UInt128, UInt128)
    }

    /// `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `prefix/n`; host bits below the prefix are ignored.
    static func parseNetwork(_ text: String) -> Block? {
        var addressText = Substring(text)
        var prefix: Int?
        // By bytes: a `Character` search costs grapheme breaking on every line of a list.
        if let slash = text.utf8.firstIndex(of: UInt8(ascii: "/")) {
            addressText = text[..<slash]
            guard let n = Int(text[text.utf8.index(after: slash)...]), n >= 0 else { return nil }
            prefix = n
        }
        guard let address = IPAddress(addressText) else { return nil }
        if address.isIPv6 {
            let bits = prefix ?? 128
            guard bits <= 128 else { return nil }
            let value = UInt128(address.high) << 64 | UInt128(address.low)
            let hostMask: UInt128 = bits == 0 ? ~0 : (bits == 128 ? 0 : (UInt128(1) << (128 - bits)) - 1)
            return .v6(value & ~hostMask, value | hostMask)
        }
        let bits = prefix ?? 32
        guard bits <= 32 else { return nil }
        let hostMask: UInt32 = bits == 0 ? ~0 : (bits == 32 ? 0 : (UInt32(1) << (32 - bits)) - 1)
        return .v4(address.ipv4 & ~hostMask, address.ipv4 | hostMask)
    }

    /// A line from a file, safe to print: control characters escaped, cut at 80 characters.
    static func quoted(_ s: String) -> String {
        var out = "'"
        for scalar in s.unicodeScalars.prefix(80) {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\x" + String(scalar.value, radix: 16) } else { out.unicodeScalars.append(scalar) }
        }
        return out + (s.unicodeScalars.count > 80 ? "...'" : "'")
    }
}

public struct BlocklistError: Error, Sendable {
    public var message: String
}
