import GRDB

/// The history database's tables, versioned with GRDB's migrator. Times are seconds since the
/// epoch (REAL, microseconds kept): `datetime(ts, 'unixepoch')` reads them in the sqlite3 shell.
/// Column names are the JSON field names (Zeek's conn.log inside `conn`, EVE's inside `alert`).
enum HistorySchema {
    /// 'nwhs' in PRAGMA application_id: a netwatch history file, whatever its name.
    static let applicationID: Int32 = 0x6E77_6873
    /// The newest schema this netwatch writes (PRAGMA user_version).
    static let version = 1

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
        return m
    }
}
