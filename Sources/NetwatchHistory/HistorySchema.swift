import GRDB
import NetwatchDecode

/// The history database's tables, versioned with GRDB's migrator. Times are seconds since the
/// epoch (REAL, microseconds kept): `datetime(ts, 'unixepoch')` reads them in the sqlite3 shell.
/// Column names are the JSON field names (Zeek's conn.log inside `conn`, EVE's inside `alert`).
enum HistorySchema {
    /// 'nwhs' in PRAGMA application_id: a netwatch history file, whatever its name.
    static let applicationID: Int32 = 0x6E77_6873
    /// The newest schema this netwatch writes (PRAGMA user_version).
    static let version = 3
    /// Conn ids per chunk of the host index (`conn_host`, `conn_chunk`): an id is kept there as
    /// its 16-bit offset in the chunk.
    static let chunkShift: Int64 = 16

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                  id INTEGER PRIMARY KEY,
                  started REAL NOT NULL, ended REAL,
                  command TEXT NOT NULL, interfaces TEXT, file TEXT, filter TEXT,
                  host TEXT NOT NULL, version TEXT NOT NULL,
                  packets INTEGER, bytes INTEGER, dropped INTEGER, flows INTEGER, alerts INTEGER,
                  records_dropped INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE conn (
                  id INTEGER PRIMARY KEY,
                  run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                  ts REAL NOT NULL, uid TEXT NOT NULL, community_id TEXT,
                  orig_h TEXT NOT NULL, orig_p INTEGER NOT NULL, resp_h TEXT NOT NULL, resp_p INTEGER NOT NULL,
                  proto TEXT NOT NULL, ip_proto INTEGER NOT NULL, service TEXT,
                  duration REAL NOT NULL, orig_bytes INTEGER, resp_bytes INTEGER,
                  conn_state TEXT, history TEXT,
                  orig_pkts INTEGER, orig_ip_bytes INTEGER, resp_pkts INTEGER, resp_ip_bytes INTEGER,
                  vlan INTEGER, encapsulation TEXT, tunnel_parents TEXT,
                  icmp_errors INTEGER, icmp_last_error INTEGER, end_reason TEXT,
                  processes_known INTEGER NOT NULL DEFAULT 0, pid INTEGER, process TEXT, interface TEXT);
                CREATE INDEX conn_ts ON conn(ts);
                CREATE INDEX conn_orig_h ON conn(orig_h, ts);
                CREATE INDEX conn_resp_h ON conn(resp_h, ts);
                CREATE TABLE alert (
                  id INTEGER PRIMARY KEY,
                  run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                  ts REAL NOT NULL, event_type TEXT NOT NULL,
                  signature TEXT NOT NULL, category TEXT NOT NULL, severity INTEGER NOT NULL, reason TEXT NOT NULL,
                  src_ip TEXT, src_port INTEGER, dest_ip TEXT, dest_port INTEGER, proto TEXT, community_id TEXT,
                  pid INTEGER, process TEXT, socket_alert INTEGER NOT NULL DEFAULT 0,
                  local_ip TEXT, local_port INTEGER, remote_ip TEXT, remote_port INTEGER, connections INTEGER,
                  details TEXT NOT NULL DEFAULT '{}');
                CREATE INDEX alert_ts ON alert(ts);
                CREATE TABLE traffic (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL,
                  tcp INTEGER NOT NULL, udp INTEGER NOT NULL, icmp INTEGER NOT NULL, other INTEGER NOT NULL,
                  dropped INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t)) WITHOUT ROWID;
                """)
        }
        // v2: the per-row host and time indexes cost four fifths of an insert (random B-tree
        // pages, each rewritten into the WAL at every commit). They give way to an index
        // written a chunk of 65,536 conn ids at a time, in key order, and bounded per-minute
        // top tables, so that `history top` no longer scans conn.
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                DROP INDEX conn_ts;
                DROP INDEX conn_orig_h;
                DROP INDEX conn_resp_h;
                ALTER TABLE conn ADD COLUMN orig_cc TEXT;
                ALTER TABLE conn ADD COLUMN resp_cc TEXT;
                ALTER TABLE conn ADD COLUMN orig_asn INTEGER;
                ALTER TABLE conn ADD COLUMN resp_asn INTEGER;
                CREATE TABLE conn_chunk (
                  chunk INTEGER PRIMARY KEY, first_ts REAL NOT NULL, last_ts REAL NOT NULL);
                INSERT INTO conn_chunk SELECT id >> 16, min(ts), max(ts) FROM conn GROUP BY id >> 16;
                CREATE TABLE conn_host (
                  chunk INTEGER NOT NULL, h BLOB NOT NULL, ids BLOB NOT NULL,
                  PRIMARY KEY (chunk, h)) WITHOUT ROWID;
                CREATE TABLE conn_indexed (through INTEGER NOT NULL);
                INSERT INTO conn_indexed VALUES (0);
                CREATE TABLE top_host (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, host TEXT NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, host)) WITHOUT ROWID;
                CREATE TABLE top_port (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, proto TEXT NOT NULL, port INTEGER NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, proto, port)) WITHOUT ROWID;
                CREATE TABLE top_conversation (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, orig_h TEXT NOT NULL, resp_h TEXT NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, orig_h, resp_h)) WITHOUT ROWID;
                CREATE TABLE traffic_interface (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, interface TEXT NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, interface)) WITHOUT ROWID;
                CREATE TABLE socket_event (
                  id INTEGER PRIMARY KEY,
                  run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                  ts REAL NOT NULL, event TEXT NOT NULL,
                  proto TEXT NOT NULL, family TEXT NOT NULL, local_ip TEXT NOT NULL, local_port INTEGER NOT NULL,
                  remote_ip TEXT NOT NULL, remote_port INTEGER NOT NULL, state TEXT NOT NULL, inode INTEGER NOT NULL, uid INTEGER NOT NULL,
                  pid INTEGER, process TEXT, cmdline TEXT);
                CREATE INDEX socket_event_ts ON socket_event(ts);
                CREATE TABLE top_country (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, country TEXT NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, country)) WITHOUT ROWID;
                CREATE TABLE top_process (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, process TEXT NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, process)) WITHOUT ROWID;
                """)
            // Rows a v1 netwatch wrote: their minutes in full (the host index is built from them
            // when the file is next opened to write, as after a crash).
            let minute = "(CAST(ts + duration AS INTEGER) / 60) * 60"
            let p = "orig_pkts + resp_pkts", b = "orig_ip_bytes + resp_ip_bytes"
            try db.execute(sql: """
                INSERT INTO top_host SELECT 60, t, h, sum(p), sum(b), count(*) FROM (
                  SELECT \(minute) AS t, orig_h AS h, \(p) AS p, \(b) AS b FROM conn
                  UNION ALL SELECT \(minute), resp_h, \(p), \(b) FROM conn WHERE resp_h != orig_h) GROUP BY t, h;
                INSERT INTO top_port SELECT 60, \(minute), proto, resp_p, sum(\(p)), sum(\(b)), count(*) FROM conn GROUP BY 2, 3, 4;
                INSERT INTO top_conversation SELECT 60, \(minute), orig_h, resp_h, sum(\(p)), sum(\(b)), count(*) FROM conn GROUP BY 2, 3, 4;
                INSERT INTO top_process SELECT 60, \(minute), process, sum(\(p)), sum(\(b)), count(*) FROM conn WHERE process IS NOT NULL GROUP BY 2, 3;
                """)
            try TopAggregator.rollUp(db, hoursFrom: 0, tables: TopAggregator.tables.prefix(5))
        }
        // v3: what the report draws without scanning conn: services, conn_state outcomes and
        // networks (ASN) per minute, each top host's bytes sent and received; passive DNS,
        // the names the capture's own DNS answers gave addresses; and each run's span in
        // packet time (a file read today holds last year's traffic).
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE traffic ADD COLUMN tcp_bytes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE traffic ADD COLUMN udp_bytes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE traffic ADD COLUMN icmp_bytes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE run ADD COLUMN first_ts REAL;
                ALTER TABLE run ADD COLUMN last_ts REAL;
                ALTER TABLE top_host ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE top_host ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE top_service (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, service TEXT NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, service)) WITHOUT ROWID;
                CREATE TABLE top_state (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, conn_state TEXT NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, conn_state)) WITHOUT ROWID;
                CREATE TABLE host_sketch (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, sketch BLOB NOT NULL,
                  PRIMARY KEY (resolution, t)) WITHOUT ROWID;
                CREATE TABLE dns_name (
                  address TEXT NOT NULL, name TEXT NOT NULL,
                  first_ts REAL NOT NULL, last_ts REAL NOT NULL, seconds INTEGER NOT NULL,
                  PRIMARY KEY (address, name)) WITHOUT ROWID;
                CREATE TABLE top_asn (
                  resolution INTEGER NOT NULL, t INTEGER NOT NULL, asn INTEGER NOT NULL,
                  packets INTEGER NOT NULL, bytes INTEGER NOT NULL, flows INTEGER NOT NULL,
                  PRIMARY KEY (resolution, t, asn)) WITHOUT ROWID;
                """)
            // Rows an older netwatch wrote: their minutes in full.
            let minute = "(CAST(ts + duration AS INTEGER) / 60) * 60"
            let p = "orig_pkts + resp_pkts", b = "orig_ip_bytes + resp_ip_bytes"
            try db.execute(sql: """
                INSERT INTO top_service SELECT 60, \(minute), coalesce(service, '-'), sum(\(p)), sum(\(b)), count(*) FROM conn GROUP BY 2, 3;
                INSERT INTO top_state SELECT 60, \(minute), coalesce(conn_state, ''), sum(\(p)), sum(\(b)), count(*) FROM conn GROUP BY 2, 3;
                INSERT INTO top_asn SELECT 60, t, a, sum(p), sum(b), count(*) FROM (
                  SELECT \(minute) AS t, orig_asn AS a, \(p) AS p, \(b) AS b FROM conn WHERE orig_asn IS NOT NULL
                  UNION ALL SELECT \(minute), resp_asn, \(p), \(b) FROM conn WHERE resp_asn IS NOT NULL AND resp_asn IS NOT orig_asn) GROUP BY t, a;
                """)
            // The hosts' directions in the top rows already there, and the runs' spans, in one
            // pass over conn each.
            try db.execute(sql: """
                CREATE TEMP TABLE host_direction AS SELECT t, h, sum(s) AS s, sum(r) AS r FROM (
                  SELECT \(minute) AS t, orig_h AS h, orig_ip_bytes AS s, resp_ip_bytes AS r FROM conn
                  UNION ALL SELECT \(minute), resp_h, resp_ip_bytes, orig_ip_bytes FROM conn WHERE resp_h != orig_h) GROUP BY t, h;
                UPDATE top_host SET sent = d.s, received = d.r FROM host_direction AS d
                  WHERE top_host.resolution = 60 AND top_host.t = d.t AND top_host.host = d.h;
                DROP TABLE host_direction;
                CREATE TEMP TABLE run_span AS SELECT run, min(ts) AS f, max(ts + duration) AS l FROM conn GROUP BY run;
                UPDATE run SET first_ts = s.f, last_ts = s.l FROM run_span AS s WHERE run.id = s.run;
                DROP TABLE run_span;
                """)
            try TopAggregator.rollUp(db, hoursFrom: 0, tables: ArraySlice([TopAggregator.tables[0]] + TopAggregator.tables.suffix(3)))
            // Distinct hosts per minute of the rows already there, then per hour.
            let rows = try Row.fetchCursor(db, sql: "SELECT \(minute) AS t, orig_h, resp_h FROM conn ORDER BY 1")
            var current: (t: Int64, sketch: HostSketch)?
            while let row = try rows.next() {
                let t: Int64 = row["t"]
                if let c = current, c.t != t { try TopAggregator.writeSketch(db, c.sketch, minute: c.t) }
                if current?.t != t { current = (t, HostSketch()) }
                for column in ["orig_h", "resp_h"] { if let a = IPAddress(row[column] as String) { current!.sketch.add(a) } }
            }
            if let c = current { try TopAggregator.writeSketch(db, c.sketch, minute: c.t) }
            try TopAggregator.rollUpSketches(db, hoursFrom: 0)
        }
        return m
    }
}
