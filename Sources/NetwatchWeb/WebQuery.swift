import Hummingbird
import NetwatchDecode
import NetwatchDetect
import NetwatchHistory

/// A request's query parameters, checked: a bad one is a 400 that names it.
struct WebQuery {
    let parameters: Hummingbird.Parameters
    /// The data's "now" (ages count back from it).
    let now: Double

    init(_ request: Request, now: Double) {
        parameters = request.uri.queryParameters
        self.now = now
    }

    func string(_ name: String, max: Int = 256) throws(BadRequest) -> String? {
        guard let v = parameters.get(name), !v.isEmpty else { return nil }
        guard v.utf8.count <= max else { throw BadRequest("\(name) is longer than \(max) bytes") }
        guard !v.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { throw BadRequest("\(name) holds control characters") }
        return v
    }

    func int(_ name: String, _ range: ClosedRange<Int>) throws(BadRequest) -> Int? {
        guard let text = try string(name, max: 20) else { return nil }
        guard let v = Int(text), range.contains(v) else { throw BadRequest("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'") }
        return v
    }

    /// Seconds since the epoch, or an age before now (90s, 15m, 2h, 7d).
    func time(_ name: String) throws(BadRequest) -> Double? {
        guard let text = try string(name, max: 32) else { return nil }
        if let t = Double(text), t.isFinite, t >= 0, t < 1e11 { return t }
        if let unit = text.last, let scale = Quantity.ageUnits[unit], let n = Double(text.dropLast()), n.isFinite, n >= 0, n < 1e9 { return now - n * scale }
        throw BadRequest("\(name) takes seconds since the epoch or an age such as 15m, 2h, 7d, not '\(text)'")
    }

    /// An IP address, as the database writes it.
    func address(_ name: String) throws(BadRequest) -> String? {
        guard let text = try string(name, max: 64) else { return nil }
        guard let a = IPAddress(text) else { throw BadRequest("\(name) takes an IP address, not '\(text)'") }
        return a.description
    }

    func oneOf(_ name: String, _ values: [String]) throws(BadRequest) -> String? {
        guard let text = try string(name, max: 32) else { return nil }
        guard values.contains(text) else { throw BadRequest("\(name) takes \(values.joined(separator: ", ")), not '\(text)'") }
        return text
    }

    /// One sensor's rows (`sensor`), read only over a central database (`fleet`).
    func sensor(_ fleet: Bool) throws(BadRequest) -> String? {
        fleet ? try string("sensor", max: 64) : nil
    }

    static let states = ["S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"]

    /// The flow search: time range, host, port, protocol, state, process, community_id, paging;
    /// `fleet`: the sensor too (a central database's rows name theirs).
    func flowQuery(defaultLimit: Int = 50, fleet: Bool = false) throws(BadRequest) -> FlowQuery {
        var q = FlowQuery()
        q.since = try time("since")
        q.until = try time("until")
        if let s = q.since, let u = q.until, s >= u { throw BadRequest("since must be before until") }
        q.host = try address("host")
        q.port = try int("port", 0...65535)
        q.proto = try oneOf("proto", ["tcp", "udp", "icmp"])
        q.state = try oneOf("state", Self.states)
        q.process = try string("process")
        q.communityID = try string("community_id", max: 64)
        q.uid = try string("uid", max: 32)
        q.sensor = try sensor(fleet)
        q.limit = try int("limit", 1...1000) ?? defaultLimit
        q.offset = try int("offset", 0...1_000_000)
        q.newestFirst = true
        return q
    }
}

/// An address as the database writes it (2001:DB8::0001 is 2001:db8::1), or nil.
enum IPAddressText {
    static func canonical(_ text: String) -> String? {
        guard text.utf8.count <= 64, let a = IPAddress(text) else { return nil }
        return a.description
    }
}
