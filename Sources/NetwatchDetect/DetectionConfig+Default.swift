extension DetectionConfig {
    /// The commented default config (`netwatch config --default`); it parses to `DetectionConfig()`.
    public static let defaultYAML = """
        # netwatch detection config (YAML). Every key is optional: what is left out keeps the
        # default shown here. Times are seconds of packet time (the capture's own clock, so a
        # file read with -r gives the same alerts as the live run did).

        # Networks that are "inside". Attempts on watched ports from outside them are alerted.
        home_networks: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16, fc00::/7, fe80::/10]

        # Block lists: IPs and CIDRs, FireHOL .netset/.ipset, Spamhaus DROP; '#' and ';' comments.
        # Relative paths are taken from this file's folder.
        blocklists: []

        outputs:
          log:            # a readable line per alert, appended (same as --log)
          json_alerts:    # a JSON line per alert, Suricata EVE style, appended (same as --json-alerts)
          history:        # an SQLite history database, or a central postgresql://user@host/db (same as --history)
          history_retention:  # drop history older than this, e.g. 30d (same as --retention)
          history_max_size:   # keep the history file under this, e.g. 2GB (same as --history-max-size)
          history_password_file:  # the central database's password, first line (same as --history-password-file)
          sensor:             # this sensor's name in the central database and on /metrics (same as --sensor; default the host name)
          ipfix:              # an IPFIX collector, HOST:PORT (UDP) or tcp://HOST:PORT (same as --ipfix)
          ipfix_domain: 0     # the IPFIX observation domain id (same as --ipfix-domain)
          ipfix_active_timeout: 60  # long-lived flows are exported this often while open (same as --ipfix-active-timeout)

        # One alert per incident; an incident quiet this long is closed with a summary line.
        suppress: 300

        # netwatch sockets --watch: alert when one process holds more connections than this.
        connection_limit: 20

        # Most keys each tracker keeps (sources, pairs); the least recently active go first.
        max_tracked: 65536

        detectors:
          # One source probing many ports on one host. A port counts when its probe failed:
          # no answer, a reset, an ICMP port unreachable, or a reset before any data.
          port_scan:
            enabled: true
            ports: 20
            window: 60
          # One source probing the same port on many hosts (TCP or UDP).
          address_sweep:
            enabled: true
            hosts: 20
            window: 60
          # ICMP echo requests to many hosts, or ARP who-has for many unanswered addresses.
          ping_sweep:
            enabled: true
            hosts: 20
            window: 60
          # SYNs to one host at `rate` per second over `window` seconds, with fewer than
          # `completed_ratio` of them completing a handshake.
          syn_flood:
            enabled: true
            rate: 200
            window: 3
            completed_ratio: 0.1
          # Any flow to or from an address in the block lists.
          blocklist:
            enabled: true
          # Attempts from outside home_networks on these ports (telnet, RPC, NetBIOS, SMB, MSSQL,
          # Oracle, MySQL, RDP, PostgreSQL, VNC, Redis, Elasticsearch, MongoDB), and TCP packets
          # with impossible flags (no flags, SYN+FIN, SYN+RST, FIN+RST).
          suspicious:
            enabled: true
            watched_ports: [23, 135, 139, 445, 1433, 1521, 3306, 3389, 5432, 5900, 6379, 9200, 27017]
            invalid_flags: true
          # An IP address whose MAC address changes, or two hosts answering for one address.
          arp_spoofing:
            enabled: true

        """
}
