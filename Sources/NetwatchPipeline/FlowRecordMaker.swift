import NetwatchDecode
import NetwatchEvents
import NetwatchFlow
import NetwatchHost
import NetwatchView

/// Makes the record every sink hears of a flow, once per event: the run's uid, the service
/// name, the local process's name (from the directory the road keeps; never a rescan here).
public final class FlowRecordMaker {
    public let uids: FlowUID
    public var services: ServiceTable? {
        didSet { names = [] }
    }
    public var processes: ProcessDirectory?
    /// The capture interfaces, when the run reads several (each flow keeps its first packet's).
    public var interfaceNames: [String] = []
    /// Whether records carry the Community ID (some sink wants it).
    public var communityIDs = true
    /// Service names by the table's number for them: a name is made once, not per flow.
    private var names: [String?] = []

    public init(uids: FlowUID, services: ServiceTable?, processes: ProcessDirectory? = nil) {
        self.uids = uids
        self.services = services
        self.processes = processes
    }

    public func make(_ flow: Flow, end: FlowEnd?) -> FlowRecord {
        var r = FlowRecord(flow, end: end, uids: uids, service: service(flow), communityID: communityIDs)
        if flow.interfaceRaw > 0, !interfaceNames.isEmpty {
            let i = Int(flow.interfaceRaw) - 1
            r.interface = i < interfaceNames.count ? interfaceNames[i] : "if\(i)"
        }
        if let processes {
            r.processesKnown = true
            if let pid = r.pid { r.process = processes.name(pid) ?? "?" }
        }
        return r
    }

    /// The responder port's service name (the originator's if only it has one), lower case.
    func service(_ flow: Flow) -> String? {
        let i = Int(ConnectionNames.serviceIndex(flow, services))
        guard i != 0 else { return nil }
        if i < names.count, let name = names[i] { return name }
        if i >= names.count { names += repeatElement(nil, count: i + 1 - names.count) }
        names[i] = ConnectionNames.recordService(UInt16(i), services)
        return names[i]
    }
}
