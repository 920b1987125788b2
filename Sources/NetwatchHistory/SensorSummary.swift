/// One sensor's line in the fleet view.
public struct SensorSummary: Sendable, Equatable {
    public var sensor: String
    public var runs: Int
    public var flows: UInt64, packets: UInt64, bytes: UInt64, alerts: UInt64
    /// Its records' first start and last end in the range.
    public var first: Double?, last: Double?

    public init(sensor: String, runs: Int, flows: UInt64, packets: UInt64, bytes: UInt64, alerts: UInt64, first: Double?, last: Double?) {
        self.sensor = sensor
        self.runs = runs
        self.flows = flows
        self.packets = packets
        self.bytes = bytes
        self.alerts = alerts
        self.first = first
        self.last = last
    }
}
