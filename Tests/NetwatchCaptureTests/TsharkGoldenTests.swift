import Foundation
import NetwatchCapture
import NetwatchDecode
import NetwatchTestSupport
import XCTest

/// For every packet of every shared capture, the fields netwatch decodes equal what
/// `tshark -T fields` reports for the same file: the innermost packet's (tshark's last IP
/// layer and what follows it, through tunnels), but not the packet an ICMP error quotes.
final class TsharkGoldenTests: XCTestCase {
    static let fields = [
        "frame.len", "frame.cap_len", "ip.src", "ip.dst", "ip.proto", "ipv6.src", "ipv6.dst",
        "tcp.srcport", "tcp.dstport", "tcp.flags", "udp.srcport", "udp.dstport",
        "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code", "dns.qry.name",
        "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "vlan.id", "ip.flags.mf", "ip.frag_offset", "ieee8021ad.id",
        "frame.protocols",
    ]

    static let damaged: Set<String> = ["suricata_fuzz_damaged.pcap"]

    func testEveryCaptureMatchesTshark() throws {
        let captures = try TestData.allCaptures()
        XCTAssertGreaterThan(captures.count, 50)
        var compared = 0
        var packets = 0
        for path in captures {
            guard let expected = try tsharkRows(path) else { continue }
            let actual = try netwatchRows(path)
            let name = URL(fileURLWithPath: path).lastPathComponent
            // Damaged files: Wireshark reads past a record libpcap (and netwatch) refuse;
            // what netwatch does with them is checked in the command-line tests.
            if Self.damaged.contains(name) { continue }
            XCTAssertEqual(actual.count, expected.count, "\(name): packet count")
            var mismatches: [String] = []
            for (index, (ours, theirs)) in zip(actual, expected).enumerated() {
                for (field, value) in theirs where ours[field] != value {
                    guard let mine = ours[field] else {
                        if !Self.mayLack(field, ours, path) { mismatches.append("packet \(index + 1) \(field): tshark \(value), netwatch has none") }
                        continue
                    }
                    mismatches.append("packet \(index + 1) \(field): netwatch \(mine) tshark \(value)")
                }
                for (field, value) in ours where theirs[field] == nil && !Self.notes.contains(field) {
                    mismatches.append("packet \(index + 1) \(field): netwatch \(value), tshark has none")
                }
            }
            XCTAssert(mismatches.isEmpty, "\(name): \(mismatches.count) mismatches, first: \(mismatches.prefix(6).joined(separator: "; "))")
            compared += 1
            packets += actual.count
        }
        print("tshark golden: \(compared) captures, \(packets) packets compared field by field")
    }

    /// tshark's view, field name to value, omitting empty fields. Nil when tshark cannot read the file.
    func tsharkRows(_ path: String) throws -> [[String: String]]? {
        var arguments = ["-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                         "-o", "tcp.desegment_tcp_streams:FALSE",
                         "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|"]
        for f in Self.fields { arguments += ["-e", f] }
        let (output, _) = try runTool("tshark", arguments)
        var rows: [[String: String]] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let values = line.split(separator: "\t", omittingEmptySubsequences: false)
            var all: [String: [Substring]] = [:]
            for (field, value) in zip(Self.fields, values) where !value.isEmpty {
                all[field] = value.split(separator: "|", omittingEmptySubsequences: false)
            }
            let layers = Self.innermost(all["frame.protocols"]?.first ?? "")
            var row: [String: String] = [:]
            for (field, occurrences) in all where field != "frame.protocols" {
                let proto = String(field.split(separator: ".")[0])
                // Tags and ARP: the first; the rest: the occurrence of the innermost layer.
                guard let index = ["vlan", "ieee8021ad", "arp", "frame"].contains(proto) ? 0 : layers[proto] else { continue }
                if index < occurrences.count, !occurrences[index].isEmpty { row[field] = String(occurrences[index]) }
            }
            // An 802.1ad (0x88A8) outer tag is its own field in Wireshark.
            if let outer = row.removeValue(forKey: "ieee8021ad.id") { row["vlan.id"] = outer }
            rows.append(row)
        }
        return rows
    }

    /// netwatch's view in tshark's field names; a field is present only when netwatch decoded it.
    func netwatchRows(_ path: String) throws -> [[String: String]] {
        let source: PacketSource
        do {
            source = try Savefile.open(path)
        } catch {
            return []
        }
        let decoder = PacketDecoder()
        var p = DecodedPacket()
        var rows: [[String: String]] = []
        _ = try source.run({ raw in
            decoder.decode(PacketBytes(raw.bytes), linkType: raw.linkType, wireLength: raw.wireLength, into: &p)
            rows.append(Self.row(p, raw))
            return true
        }, tick: {})
        return rows
    }

    static func row(_ p: DecodedPacket, _ raw: RawPacket) -> [String: String] {
        var row: [String: String] = ["frame.len": "\(raw.wireLength)", "frame.cap_len": "\(raw.bytes.count)"]
        if let issue = p.issue { row["issue"] = "\(issue.layer.rawValue)" }
        if p.fragment.isFragment { row["fragment"] = "1" }
        if !p.encapsulation.isEmpty && p.network != .ipv4 && p.network != .ipv6 { row["tunnelledNonIP"] = "1" }
        if p.vlanCount > 0 { row["vlan.id"] = "\(p.vlanIDs.0)" }
        switch p.network {
        case .ipv4 where p.ipHeaderLength > 0:
            row["ip.src"] = p.src.description
            row["ip.dst"] = p.dst.description
            row["ip.proto"] = "\(p.ipProtocol)"
            row["ip.flags.mf"] = p.fragment.moreFragments ? "1" : "0"
            row["ip.frag_offset"] = "\(p.fragment.offset / 8)"  // Wireshark counts 8-byte units
        case .ipv6 where p.ipHeaderLength > 0:
            row["ipv6.src"] = p.src.description
            row["ipv6.dst"] = p.dst.description
        case .arp where p.arp.hasIPv4:
            row["arp.src.proto_ipv4"] = p.arp.senderIP.description
            row["arp.dst.proto_ipv4"] = p.arp.targetIP.description
        default: break
        }
        // Transport fields count only when this packet's own IP header leads to them
        // (tshark's first occurrence may come from a tunnel's inner packet otherwise).
        switch p.transport {
        case .tcp:
            row["tcp.srcport"] = "\(p.srcPort)"
            row["tcp.dstport"] = "\(p.dstPort)"
            if p.tcp.headerLength > 0 { row["tcp.flags"] = String(format: "0x%04x", p.tcp.flags.rawValue) }
        case .udp:
            row["udp.srcport"] = "\(p.srcPort)"
            row["udp.dstport"] = "\(p.dstPort)"
        case .icmp:
            row["icmp.type"] = "\(p.icmp.type)"
            row["icmp.code"] = "\(p.icmp.code)"
            if p.icmp.quotedOffset > 0 { row["quoted"] = "1" }
        case .icmpv6:
            row["icmpv6.type"] = "\(p.icmp.type)"
            row["icmpv6.code"] = "\(p.icmp.code)"
            if p.icmp.quotedOffset > 0 { row["quoted"] = "1" }
        default: break
        }
        if p.application == .dns && p.dns.questionCount > 0 {
            let m = DNSMessage(packet: PacketBytes(raw.bytes), info: p.dns)
            var name: String? = nil
            m.forEachRecord { r in
                var labels: [String] = []
                if m.readName(at: r.nameOffset, { labels.append(String(decoding: $0, as: UTF8.self)) }) {
                    name = labels.isEmpty ? "<Root>" : labels.joined(separator: ".")
                }
                return false
            }
            if let name { row["dns.qry.name"] = name }
        }
        return row
    }
}

extension TsharkGoldenTests {
    /// A field tshark reports and netwatch does not is a failure, but for the application
    /// layer of an IP fragment, and the layers at and after
    /// the one netwatch reported as truncated or invalid (tshark reads what it can of a
    /// broken header; netwatch shows what was decoded and the reason).
    static func mayLack(_ field: String, _ ours: [String: String], _ path: String) -> Bool {
        let layer = fieldLayer(field)
        if ours["fragment"] != nil && layer == .dns { return true }
        // A tunnel carrying something other than IP (PPP's LCP, CDP through ERSPAN): netwatch
        // shows that, and tshark's last IP layer is the tunnel's outer one.
        if ours["tunnelledNonIP"] != nil && [Layer.ipv4, .ipv6].contains(layer) { return true }
        if let issue = ours["issue"].flatMap(UInt8.init).flatMap(Layer.init(rawValue:)) {
            // A broken shim or tunnel header: what it carries is not decoded.
            if issue.rawValue > Layer.dns.rawValue { return true }
            if layer.rawValue >= issue.rawValue { return true }
        }
        return false
    }

    /// Which occurrence of each protocol's fields belongs to the innermost packet, from tshark's
    /// `frame.protocols`: the last IP or IPv6 layer before any ICMP error's quote (and before a
    /// tunnel netwatch does not enter), and the transport and DNS layers after it.
    static func innermost(_ protocols: Substring) -> [String: Int] {
        var seen: [String: Int] = [:]
        var last: [String: Int] = [:]
        for name in protocols.split(separator: ":") {
            // mDNS and LLMNR are DNS messages: their fields are dns.*.
            let token = name == "mdns" || name == "llmnr" ? "dns" : String(name)
            if ["l2tp"].contains(token) { break }
            last[token] = seen[token, default: 0]
            seen[token, default: 0] += 1
            if token == "ip" || token == "ipv6" {
                last[token == "ip" ? "ipv6" : "ip"] = nil
                for t in ["tcp", "udp", "icmp", "icmpv6", "dns"] { last[t] = nil }
            }
            if token == "icmp" || token == "icmpv6" { break }
        }
        return last
    }

    static func fieldLayer(_ field: String) -> Layer {
        switch field.split(separator: ".").first ?? "" {
        case "vlan", "ieee8021ad": return .vlan
        case "arp": return .arp
        case "ip": return .ipv4
        case "ipv6": return .ipv6
        case "tcp": return .tcp
        case "udp": return .udp
        case "icmp": return .icmp
        case "icmpv6": return .icmpv6
        case "dns": return .dns
        default: return .link
        }
    }

    /// Keys of `row` that are notes for `mayLack`, not fields compared with tshark's.
    static let notes: Set<String> = ["quoted", "fragment", "issue", "tunnelledNonIP"]
}
