import ArgumentParser
import NetwatchCentral
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchHistory
import NetwatchPipeline
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `netwatch history`: answers from a history database, without capturing.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Query a history database recorded with --history: flows, alerts, top lists, traffic series, runs.",
        discussion: """
            A database that is being written can be read at the same time.
            Examples:
              netwatch history flows --db nw.db --host 10.0.0.5 --since 2h
              netwatch history alerts --db nw.db --signature "TCP SYN port scan" --json
              netwatch history sockets --db nw.db --process sshd
              netwatch history top hosts --db nw.db --since 24h
              netwatch history series --db nw.db --per minute --csv
              netwatch history runs --db nw.db
              netwatch history check --db nw.db
              netwatch history sensors --db postgresql://netwatch@db.example/netwatch
              netwatch history flows --db postgresql://netwatch@db.example/netwatch --sensor gw-2 --host 10.0.0.5
            A central PostgreSQL (written by sensors with --history postgresql://...) answers the same
            questions over the whole fleet, or one sensor's records with --sensor.
            """,
        subcommands: [Flows.self, Alerts.self, Sockets.self, Top.self, Series.self, Runs.self, Sensors.self, Check.self, HistoryBenchCommand.self])

    struct Common: ParsableArguments {
        @Option(name: .customLong("db"), help: ArgumentHelp("The history database: a SQLite file, or the central postgresql://user@host/database.", valueName: "file|url"))
        var db = "netwatch.db"

        @Option(name: .customLong("sensor"), help: ArgumentHelp("Only this sensor's records (the central database).", valueName: "name"))
        var sensor: String?

        @Option(name: .customLong("password-file"), help: ArgumentHelp("The central database's password, the file's first line (else PGPASSWORD, else ~/.pgpass).", valueName: "file"))
        var passwordFile: String?

        @Option(name: .customLong("since"), help: ArgumentHelp("From this time: an age (30s, 15m, 2h, 7d) or a date (2026-12-01, 2026-12-01T10:00:00, seconds since the epoch).", valueName: "time"))
        var since: HistoryTimeArgument?

        @Option(name: .customLong("until"), help: ArgumentHelp("Up to this time (same forms as --since).", valueName: "time"))
        var until: HistoryTimeArgument?

        @Flag(name: .customLong("json"), help: "JSON lines, with the field names of the live JSON.")
        var json = false

        @Flag(name: .customLong("csv"), help: "CSV with a header line.")
        var csv = false

        func validate() throws {
            if json && csv { throw ValidationError("--json and --csv cannot be combined") }
        }

        /// Whether the rows carry their sensor (the central database).
        var isCentral: Bool { CentralURL.isCentral(db) }

        func open() throws -> any HistorySource {
            try HistoryCommand.open(db, sensor: sensor, passwordFile: passwordFile)
        }

        /// How messages name the database (never with a password).
        var name: String { isCentral ? ((try? CentralURL(db, environment: Environment.variables()))?.description ?? "the central database") : db }

        /// Runs a query; a database error is one sentence and exit 1.
        func query<T>(_ body: () throws(HistoryError) -> T) throws -> T {
            do {
                return try body()
            } catch {
                diagnostics.error("\(error.message)")
                throw ExitCode(1)
            }
        }

        var range: (Double?, Double?) {
            let now = WallTime.now()
            return (since.map { $0.seconds(now: now) }, until.map { $0.seconds(now: now) })
        }
    }

    struct Flows: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Conn records (Zeek conn.log fields), oldest first.")
        @OptionGroup var common: Common
        @Option(help: "Either end's address.") var host: String?
        @Option(help: "Either end's port.") var port: Int?
        @Option(name: .customLong("proto"), help: "tcp, udp or icmp.") var proto: String?
        @Option(help: "Zeek conn_state (SF, S0, REJ, ...).") var state: String?
        @Option(help: "Local process name.") var process: String?
        @Option(name: .customLong("community-id"), help: "Community ID.") var communityID: String?
        @Option(help: "At most this many records.") var limit: Int?

        func validate() throws { _ = try canonical(host, "--host") }

        func run() throws {
            let store = try common.open()
            var q = FlowQuery()
            (q.since, q.until) = common.range
            q.host = try canonical(host, "--host")
            q.port = port
            q.proto = proto?.lowercased()
            q.state = state
            q.process = process
            q.communityID = communityID
            q.limit = limit
            let records = try common.query { () throws(HistoryError) in try store.flows(q) }
            let out = OutputBuffer(fd: 1)
            if common.json {
                let writer = ConnectionRecordWriter(output: out)
                for r in records { writer.writeEnd(r) }
            } else if common.csv {
                out.string("ts,uid,community_id,proto,orig_h,orig_p,resp_h,resp_p,service,duration,conn_state,history,orig_pkts,orig_bytes,resp_pkts,resp_bytes,pid,process\n")
                for r in records {
                    out.string(CSV.row([HistoryTable.seconds(r.start), r.uid, r.communityID, r.proto, "\(r.originatorAddress)", "\(r.originatorPort)",
                                        "\(r.responderAddress)", "\(r.responderPort)", r.service ?? "", HistoryTable.seconds(r.duration), r.connState,
                                        r.history, "\(r.originatorPackets)", "\(r.originatorBytes)", "\(r.responderPackets)", "\(r.responderBytes)",
                                        r.pid.map { "\($0)" } ?? "", r.process ?? ""]))
                }
            } else {
                let fleet = common.isCentral
                var table = HistoryTable((fleet ? ["sensor"] : []) + ["time", "proto", "originator", "responder", "service", "state", "history", "pkts", "bytes", "duration", "process", "uid"])
                for r in records {
                    table.add((fleet ? [r.sensor ?? "-"] : []) + [WallTime.readable(Double(r.start) / 1e9), r.proto,
                               HistoryTable.endpoint(r.originatorAddress, r.originatorPort), HistoryTable.endpoint(r.responderAddress, r.responderPort),
                               r.service ?? "-", r.connState, r.history.isEmpty ? "-" : r.history,
                               "\(r.originatorPackets)/\(r.responderPackets)", "\(r.originatorIPBytes)/\(r.responderIPBytes)",
                               HistoryTable.seconds(r.duration) + "s", r.process.map { "\($0) (\(r.pid ?? 0))" } ?? "-", r.uid])
                }
                table.write(to: out, empty: "no connections recorded in \(common.name) for this query")
            }
            out.flush()
        }
    }

    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Alerts, summaries and clearings, oldest first (EVE fields).")
        @OptionGroup var common: Common
        @Option(help: "The signature (\"TCP SYN port scan\", \"SYN flood\", ...).") var signature: String?
        @Option(help: "The source address (or a socket alert's local address).") var source: String?
        @Option(help: "The destination address (or a socket alert's remote address).") var destination: String?
        @Option(help: "At most this many.") var limit: Int?

        func validate() throws {
            _ = try canonical(source, "--source")
            _ = try canonical(destination, "--destination")
        }

        func run() throws {
            let store = try common.open()
            let (since, until) = common.range
            let source = try canonical(source, "--source"), destination = try canonical(destination, "--destination")
            let alerts = try common.query { () throws(HistoryError) in
                try store.alerts(since: since, until: until, signature: signature, source: source, destination: destination, limit: limit)
            }
            let out = OutputBuffer(fd: 1)
            if common.json {
                for (a, details) in alerts { out.string(AlertWriter.json(a, detailsJSON: details) + "\n") }
            } else if common.csv {
                out.string("timestamp,event_type,signature,severity,src_ip,src_port,dest_ip,dest_port,proto,reason\n")
                for (a, _) in alerts {
                    out.string(CSV.row([WallTime.iso8601(a.time), a.event.rawValue, a.signature.rawValue, "\(a.severity)",
                                        (a.sourceAddress ?? a.localAddress).map { "\($0)" } ?? "", (a.sourcePort ?? a.localPort).map { "\($0)" } ?? "",
                                        (a.destinationAddress ?? a.remoteAddress).map { "\($0)" } ?? "", (a.destinationPort ?? a.remotePort).map { "\($0)" } ?? "",
                                        a.transport ?? "", a.reason]))
                }
            } else {
                let fleet = common.isCentral
                var table = HistoryTable((fleet ? ["sensor"] : []) + ["time", "event", "severity", "signature", "source", "destination", "reason"])
                for (a, _) in alerts {
                    table.add((fleet ? [a.sensor ?? "-"] : []) + [WallTime.readable(a.time), a.event.rawValue, "\(a.severity)", a.signature.rawValue,
                               (a.sourceAddress ?? a.localAddress).map { "\($0)" } ?? "-", (a.destinationAddress ?? a.remoteAddress).map { "\($0)" } ?? "-",
                               a.reason])
                }
                table.write(to: out, empty: "no alerts recorded in \(common.name) for this query")
            }
            out.flush()
        }
    }

    struct Sockets: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Connections that appeared in or left the host's socket table (recorded by sockets --watch or timeline), oldest first.")
        @OptionGroup var common: Common
        @Option(help: "Either end's address.") var host: String?
        @Option(help: "The owning process's name.") var process: String?
        @Option(help: "At most this many.") var limit: Int?

        func validate() throws { _ = try canonical(host, "--host") }

        func run() throws {
            let store = try common.open()
            let (since, until) = common.range
            let host = try canonical(host, "--host")
            let events = try common.query { () throws(HistoryError) in
                try store.socketEvents(since: since, until: until, host: host, process: process, limit: limit)
            }
            let out = OutputBuffer(fd: 1)
            if common.json {
                for e in events {
                    let fields = SocketTableView.json(e.socket).dropFirst()
                    out.string("{\"timestamp\":\"\(WallTime.iso8601(e.time))\",\"event_type\":\"socket\",\"event\":\"\(e.opened ? "opened" : "closed")\",\(fields)\n")
                }
            } else {
                let header = ["time", "event", "proto", "local", "remote", "state", "pid", "process"]
                var table = HistoryTable(header)
                var csv = common.csv ? CSV.row(header) : ""
                for e in events {
                    let s = e.socket
                    let row = [common.csv ? WallTime.iso8601(e.time) : WallTime.readable(e.time), e.opened ? "opened" : "closed", s.transport.rawValue,
                               SocketTableView.endpoint(s.localAddress, s.localPort), SocketTableView.endpoint(s.remoteAddress, s.remotePort),
                               s.state.name(for: s.transport), s.owner.map { "\($0.pid)" } ?? "-", s.owner?.name ?? "-"]
                    if common.csv { csv += CSV.row(row) } else { table.add(row) }
                }
                if common.csv { out.string(csv) } else { table.write(to: out, empty: "no socket changes recorded in \(common.name) for this query") }
            }
            out.flush()
        }
    }

    struct Top: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Top hosts, ports, conversations, processes or countries by bytes (or packets) over a range.",
            discussion: """
                Read from the per-minute and per-hour top tables: quick over days, and exact for \
                whatever is big in the minutes it is big in. A key that never ranks among a minute's \
                100 biggest is missing; --exact sums the conn records instead (slower over long ranges).
                """)
        @Argument(help: "hosts, ports, conversations, processes, countries, services, states (conn_state) or networks (ASN); countries and networks: recorded with GeoIP.") var kind: TopKindArgument = .init(.hosts)
        @OptionGroup var common: Common
        @Option(name: .customLong("by"), help: "bytes or packets.") var by: String = "bytes"
        @Option(name: .customLong("top"), help: "How many.") var n: Int = 10
        @Flag(name: .customLong("exact"), help: "Sum the conn records of the range (connections that ended in it).") var exact = false

        func validate() throws {
            if by != "bytes" && by != "packets" { throw ValidationError("--by takes bytes or packets") }
            if n < 1 { throw ValidationError("--top takes 1 or more") }
        }

        func run() throws {
            let store = try common.open()
            let (since, until) = common.range
            let entries = try common.query { () throws(HistoryError) in try store.top(kind.value, byPackets: by == "packets", since: since, until: until, n: n, exact: exact) }
            let out = OutputBuffer(fd: 1)
            let name = HistoryJSON.keyName(kind.value)
            if common.json {
                for e in entries { out.string(HistoryJSON.top(e, kind: kind.value) + "\n") }
            } else if common.csv {
                out.string("\(name),packets,bytes,flows\n")
                for e in entries { out.string(CSV.row([e.key, "\(e.packets)", "\(e.bytes)", "\(e.flows)"])) }
            } else {
                var table = HistoryTable([name, "packets", "bytes", "flows"])
                for e in entries { table.add([e.key, "\(e.packets)", "\(e.bytes)", "\(e.flows)"]) }
                table.write(to: out, empty: "no connections recorded in \(common.name) for this range")
            }
            out.flush()
        }
    }

    struct Series: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Packets and bytes per second, minute or hour (buckets that saw traffic).")
        @OptionGroup var common: Common
        @Option(name: .customLong("per"), help: "second, minute or hour.") var per: String = "minute"
        @Option(name: .customLong("interface"), help: ArgumentHelp("One capture interface's packets and bytes (recorded when a run read several interfaces).", valueName: "name"))
        var interface: String?

        func validate() throws {
            if !["second", "minute", "hour"].contains(per) { throw ValidationError("--per takes second, minute or hour") }
        }

        func run() throws {
            let store = try common.open()
            let (since, until) = common.range
            let resolution = per == "second" ? 1 : per == "minute" ? 60 : 3600
            let buckets = try common.query { () throws(HistoryError) in try store.series(resolution: resolution, since: since, until: until, interface: interface) }
            let out = OutputBuffer(fd: 1)
            if common.json {
                for b in buckets { out.string(HistoryJSON.bucket(b, resolution: resolution, interface: interface) + "\n") }
            } else if common.csv {
                out.string("timestamp,packets,bytes,tcp,udp,icmp,other,dropped\n")
                for b in buckets { out.string(CSV.row([WallTime.iso8601(Double(b.start)), "\(b.packets)", "\(b.bytes)", "\(b.tcp)", "\(b.udp)", "\(b.icmp)", "\(b.other)", "\(b.dropped)"])) }
            } else {
                var table = HistoryTable(["time", "packets", "bytes", "tcp", "udp", "icmp", "other", "dropped"])
                for b in buckets { table.add([WallTime.readable(Double(b.start)), "\(b.packets)", "\(b.bytes)", "\(b.tcp)", "\(b.udp)", "\(b.icmp)", "\(b.other)", "\(b.dropped)"]) }
                table.write(to: out, empty: "no traffic recorded in \(common.name) for this range")
            }
            out.flush()
        }
    }

    struct Sensors: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The fleet in a central database: per sensor, its runs, conn records, packets, bytes and alerts.",
            discussion: "With --host: only the records where that address is either end, so one host seen by several sensors shows on each.")
        @OptionGroup var common: Common
        @Option(help: "Either end's address.") var host: String?

        func validate() throws { _ = try canonical(host, "--host") }

        func run() throws {
            let store = try common.open()
            let (since, until) = common.range
            let host = try canonical(host, "--host")
            guard let sensors = try common.query({ () throws(HistoryError) in try store.sensors(since: since, until: until, host: host) }) else {
                diagnostics.error("sensors reads a central postgresql:// database; \(common.db) holds one sensor's records (see history runs)")
                throw ExitCode(2)
            }
            let out = OutputBuffer(fd: 1)
            func time(_ t: Double?) -> String { t.map { common.csv || common.json ? WallTime.iso8601($0) : WallTime.readable($0) } ?? "" }
            if common.json {
                for s in sensors { out.string(HistoryJSON.sensor(s) + "\n") }
            } else {
                let header = ["sensor", "runs", "flows", "packets", "bytes", "alerts", "first", "last"]
                var table = HistoryTable(header)
                var csv = common.csv ? CSV.row(header) : ""
                for s in sensors {
                    let row = [s.sensor, "\(s.runs)", "\(s.flows)", "\(s.packets)", "\(s.bytes)", "\(s.alerts)", time(s.first), time(s.last)]
                    if common.csv { csv += CSV.row(row) } else { table.add(row) }
                }
                if common.csv { out.string(csv) } else { table.write(to: out, empty: "no sensors recorded in \(common.name)\(host.map { " saw \($0)" } ?? "")") }
            }
            out.flush()
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a history database (SQLite's integrity check) and say what it holds; exit 1 if damaged.")
        @Option(name: .customLong("db"), help: ArgumentHelp("The history database.", valueName: "file")) var db = "netwatch.db"

        func run() throws {
            let common = try Common.parse(["--db", db])
            guard let store = try common.open() as? HistoryStore else {
                diagnostics.error("check reads a SQLite history file; PostgreSQL checks its own tables (amcheck)")
                throw ExitCode(2)
            }
            let c = try common.query { () throws(HistoryError) in try store.check() }
            let out = OutputBuffer(fd: 1)
            let sound = c.integrity == ["ok"]
            out.string("\(db): \(sound ? "sound (integrity check ok)" : "DAMAGED")\n")
            for line in c.integrity where !sound {
                out.string("  ")
                AlertWriter.safe(line, to: out, json: false)
                out.string("\n")
            }
            let span = c.first.map { WallTime.readable($0) + " to " + WallTime.readable(c.last ?? $0) } ?? "no conn records"
            out.string("  \(c.runs) runs, \(c.conn) conn records (\(span)), \(c.alerts) alerts, \(c.seconds) seconds of traffic series; \(c.bytes / 1_048_576) MiB in use\n")
            out.flush()
            if !sound { throw ExitCode(1) }
        }
    }

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The runs recorded: when, what, where, totals.")
        @OptionGroup var common: Common

        func run() throws {
            let store = try common.open()
            let runs = try common.query { () throws(HistoryError) in try store.runs() }
            let out = OutputBuffer(fd: 1)
            func source(_ r: RunRecord) -> String { r.info.file ?? r.info.interfaces ?? "-" }
            if common.json {
                for r in runs { out.string(HistoryJSON.run(r) + "\n") }
            } else {
                let fleet = common.isCentral
                var table = HistoryTable((fleet ? ["sensor"] : []) + ["run", "started", "ended", "command", "source", "filter", "host", "packets", "flows", "alerts", "dropped"])
                for r in runs {
                    table.add((fleet ? [r.sensor ?? "-"] : []) + ["\(r.id)", WallTime.readable(r.info.started), r.info.ended.map { WallTime.readable($0) } ?? "(running or killed)",
                               r.info.command, source(r), r.info.filter ?? "-", r.info.host, "\(r.info.packets)", "\(r.info.flows)", "\(r.info.alerts)",
                               "\(r.info.dropped + r.recordsDropped)"])
                }
                table.write(to: out, empty: "no runs recorded in \(common.name)")
            }
            out.flush()
        }
    }
}

extension HistoryCommand {
    /// A history database to read: a SQLite file, or the central PostgreSQL (one sensor's
    /// records with `sensor`); a bad one is one sentence and exit 1.
    static func open(_ db: String, sensor: String?, passwordFile: String?) throws -> any HistorySource {
        try HistoryOptions.oneSentence {
            if CentralURL.isCentral(db) {
                let environment = Environment.variables()
                let url = try CentralURL(db, environment: environment)
                return try CentralStore(url: url, password: try url.password(file: passwordFile, environment: environment), sensor: sensor)
            }
            if sensor != nil || passwordFile != nil {
                diagnostics.error("--sensor and --password-file are for a postgresql:// database; \(db) is one sensor's file")
                throw ExitCode(2)
            }
            return try HistoryStore.openForReading(db)
        }
    }
}

/// An address as the database writes it (2001:DB8::0001 is stored 2001:db8::1), or an error
/// naming the option.
func canonical(_ address: String?, _ option: String) throws -> String? {
    guard let address else { return nil }
    guard let a = IPAddress(address) else { throw ValidationError("\(option) takes an IP address, not '\(address)'") }
    return a.description
}

/// `history top` kinds.
struct TopKindArgument: ExpressibleByArgument {
    let value: TopKind
    init(_ value: TopKind) { self.value = value }
    init?(argument: String) {
        guard let k = TopKind(rawValue: argument.lowercased()) else { return nil }
        value = k
    }
    static var allValueStrings: [String] { TopKind.allCases.map(\.rawValue) }
    var defaultValueDescription: String { value.rawValue }
}
