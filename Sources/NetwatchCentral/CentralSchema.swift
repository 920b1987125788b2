/// The central database's tables: the SQLite store's columns (the same names, so the same
/// questions read the same way), with a `sensor` column on each and PostgreSQL's types.
/// Several sensors create them at once safely: the creation holds an advisory lock.
/// `conn.run` has no foreign key and no index: the key's check, a lookup per row, took a
/// third of COPY's time, and retention deletes conn rows by time, not by run.
enum CentralSchema {
    static let version = 1
    /// pg_advisory_xact_lock's key for the creation ('nwhs').
    static let lock: Int64 = 0x6E77_6873

    static let tables = """
        CREATE TABLE IF NOT EXISTS netwatch_schema (version integer NOT NULL);
        CREATE TABLE IF NOT EXISTS run (
          id bigserial PRIMARY KEY, sensor text NOT NULL,
          started double precision NOT NULL, ended double precision,
          command text NOT NULL, interfaces text, file text, filter text,
          host text NOT NULL, version text NOT NULL,
          packets bigint, bytes bigint, dropped bigint, flows bigint, alerts bigint,
          records_dropped bigint NOT NULL DEFAULT 0, first_ts double precision, last_ts double precision);
        CREATE TABLE IF NOT EXISTS conn (
          id bigserial PRIMARY KEY, sensor text NOT NULL,
          run bigint NOT NULL,
          ts double precision NOT NULL, uid text NOT NULL, community_id text,
          orig_h text NOT NULL, orig_p integer NOT NULL, resp_h text NOT NULL, resp_p integer NOT NULL,
          proto text NOT NULL, ip_proto integer NOT NULL, service text,
          duration double precision NOT NULL, orig_bytes bigint, resp_bytes bigint,
          conn_state text, history text,
          orig_pkts bigint, orig_ip_bytes bigint, resp_pkts bigint, resp_ip_bytes bigint,
          vlan integer, encapsulation text, tunnel_parents text,
          icmp_errors integer, icmp_last_error integer, end_reason text,
          processes_known boolean NOT NULL DEFAULT false, pid integer, process text, interface text,
          orig_cc text, resp_cc text, orig_asn bigint, resp_asn bigint);
        CREATE INDEX IF NOT EXISTS conn_ts ON conn USING brin (ts);
        CREATE TABLE IF NOT EXISTS alert (
          id bigserial PRIMARY KEY, sensor text NOT NULL,
          run bigint NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          ts double precision NOT NULL, event_type text NOT NULL,
          signature text NOT NULL, category text NOT NULL, severity integer NOT NULL, reason text NOT NULL,
          src_ip text, src_port integer, dest_ip text, dest_port integer, proto text, community_id text,
          pid integer, process text, socket_alert boolean NOT NULL DEFAULT false,
          local_ip text, local_port integer, remote_ip text, remote_port integer, connections integer,
          details text NOT NULL DEFAULT '{}');
        CREATE INDEX IF NOT EXISTS alert_ts ON alert (ts);
        CREATE TABLE IF NOT EXISTS traffic (
          sensor text NOT NULL, resolution integer NOT NULL, t bigint NOT NULL,
          packets bigint NOT NULL, bytes bigint NOT NULL,
          tcp bigint NOT NULL, udp bigint NOT NULL, icmp bigint NOT NULL, other bigint NOT NULL, dropped bigint NOT NULL,
          tcp_bytes bigint NOT NULL, udp_bytes bigint NOT NULL, icmp_bytes bigint NOT NULL,
          PRIMARY KEY (sensor, resolution, t));
        CREATE TABLE IF NOT EXISTS traffic_interface (
          sensor text NOT NULL, resolution integer NOT NULL, t bigint NOT NULL, interface text NOT NULL,
          packets bigint NOT NULL, bytes bigint NOT NULL,
          PRIMARY KEY (sensor, resolution, t, interface));
        CREATE TABLE IF NOT EXISTS socket_event (
          id bigserial PRIMARY KEY, sensor text NOT NULL,
          run bigint NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          ts double precision NOT NULL, event text NOT NULL,
          proto text NOT NULL, family text NOT NULL, local_ip text NOT NULL, local_port integer NOT NULL,
          remote_ip text NOT NULL, remote_port integer NOT NULL, state text NOT NULL, inode bigint NOT NULL, uid bigint NOT NULL,
          pid integer, process text, cmdline text);
        CREATE INDEX IF NOT EXISTS socket_event_ts ON socket_event (ts);
        CREATE TABLE IF NOT EXISTS dns_name (
          sensor text NOT NULL, address text NOT NULL, name text NOT NULL,
          first_ts double precision NOT NULL, last_ts double precision NOT NULL, seconds bigint NOT NULL,
          PRIMARY KEY (sensor, address, name));
        CREATE TABLE IF NOT EXISTS ingest (
          run bigint NOT NULL REFERENCES run(id) ON DELETE CASCADE, batch bigint NOT NULL,
          PRIMARY KEY (run, batch));
        """

    /// Creates what is missing, or refuses a database a newer netwatch wrote.
    static func prepare(_ c: CentralConnection) throws(CentralError) {
        do {
            try c.execute(unsafeSQL: "BEGIN")
            try c.execute(unsafeSQL: "SELECT pg_advisory_xact_lock(\(lock))")
            for statement in tables.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                try c.execute(unsafeSQL: String(statement))
            }
            let rows = try c.execute(unsafeSQL: "SELECT max(version) FROM netwatch_schema")
            let found = try rows.first.flatMap { try $0.decode(Int?.self) }
            if let found, found > version {
                try c.execute(unsafeSQL: "ROLLBACK")
                throw CentralError("\(c.url) was written by a newer netwatch (schema \(found), this one knows \(version))")
            }
            if found == nil { try c.execute(unsafeSQL: "INSERT INTO netwatch_schema VALUES (\(version))") }
            try c.execute(unsafeSQL: "COMMIT")
        } catch let e as CentralError {
            throw e
        } catch {
            _ = try? c.execute(unsafeSQL: "ROLLBACK")
            throw CentralError("cannot create the tables in \(c.url): \(CentralConnection.describe(error))")
        }
    }
}
