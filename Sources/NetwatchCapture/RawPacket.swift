import NetwatchDecode

/// One captured packet as a source hands it over: valid only during the handler call.
public struct RawPacket {
    public var seconds: Int64
    public var nanoseconds: UInt32
    /// Bytes captured (`caplen`) and length on the wire (`len`) are kept apart.
    public var bytes: UnsafeRawBufferPointer
    public var wireLength: Int
    public var linkType: LinkType
    /// Which of the source's interfaces it came from (pcapng IDB index, or `-i` position).
    public var interface: Int
    /// The captured bytes of the packet that comes next, when the source already holds them
    /// (a pcap or pcapng file's buffer; same link type), else empty: a look at it lets the pipeline start
    /// loading the table lines that packet will need while this one is worked on.
    public var next: UnsafeRawBufferPointer
    /// The packet after `next`, likewise: a look two packets ahead gives a line
    /// from memory two packets' time to arrive.
    public var later: UnsafeRawBufferPointer

    @inlinable public var captureLength: Int { bytes.count }

    /// `nanoseconds` of a packet that carries no time (a pcapng Simple Packet Block): such a
    /// packet is shown without one and left out of durations; flows take the last time seen.
    public static let untimed: UInt32 = .max

    /// Whether the packet carries a capture time.
    @inlinable public var hasTime: Bool { nanoseconds != RawPacket.untimed }

    public init(seconds: Int64, nanoseconds: UInt32, bytes: UnsafeRawBufferPointer, wireLength: Int, linkType: LinkType, interface: Int,
                next: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                later: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.bytes = bytes
        self.wireLength = wireLength
        self.linkType = linkType
        self.interface = interface
        self.next = next
        self.later = later
    }
}

/// How a source finished.
public enum SourceEnd: Equatable, Sendable {
    /// Every packet was delivered.
    case finished
    /// The handler asked to stop (count reached) or a stop signal arrived.
    case stopped
    /// The file ends in the middle of a record: every packet before was delivered.
    case truncated(String)
    /// A record makes no sense; every packet before it was delivered.
    case corrupt(String)
}

/// A place packets come from: a live interface set, a savefile, standard input.
///
/// `run` calls `handler` once per packet on the calling thread and `tick` now and then
/// (at least every 100 ms of a quiet live capture), so periodic work runs without threads.
public protocol PacketSource: AnyObject {
    /// Interface names, by `RawPacket.interface`.
    var interfaceNames: [String] { get }
    func run(_ handler: (RawPacket) -> Bool, tick: () -> Void) throws(CaptureError) -> SourceEnd
    /// Packets received and dropped as libpcap reports them (live sources only).
    func statistics() -> [CaptureStatistics]
}

public struct CaptureStatistics: Sendable {
    public var interface: String
    public var received: UInt64
    public var dropped: UInt64
    public var droppedByInterface: UInt64
}
