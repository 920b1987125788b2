import NetwatchDecode
import NetwatchView

/// A table for the terminal: columns padded to their widest cell, text made safe (names from
/// the network and the host may hold control characters).
struct HistoryTable {
    let header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row.map(TerminalText.safe)) }

    func write(to out: OutputBuffer, empty: String) {
        if rows.isEmpty {
            out.string(empty + "\n")
            return
        }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        for line in [header] + rows {
            var text = ""
            for (i, c) in line.enumerated() {
                text += c
                if i < line.count - 1 { text += String(repeating: " ", count: widths[i] - c.count + 2) }
            }
            out.string(text + "\n")
        }
    }

    static func endpoint(_ a: IPAddress, _ port: UInt16) -> String {
        a.isIPv6 ? "[\(a)]:\(port)" : "\(a):\(port)"
    }

    /// Nanoseconds as seconds with microseconds.
    static func seconds(_ ns: Int64) -> String {
        let us = ns / 1000
        let frac = String(us % 1_000_000)
        return "\(us / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}

/// CSV fields quoted when they hold a comma, a quote or a line break (RFC 4180).
enum CSV {
    static func row(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + f.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : f
        }.joined(separator: ",") + "\n"
    }
}
