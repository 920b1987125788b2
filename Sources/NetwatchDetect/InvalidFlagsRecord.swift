import NetwatchDecode

/// Invalid-flag packets from one source, held briefly before alerting: a NULL scan sends them
/// too, and is reported as the scan it is, not twice.
struct InvalidFlagsRecord {
    var first: Double
    var last: Double
    var packets = 0
    /// Flag combinations seen, as "no flags", "SYN+FIN", ...
    var combinations: Set<String> = []
    var alert: Alert
}
