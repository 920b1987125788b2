/// The process holding a socket: PID, name (`/proc/PID/comm`) and command line.
public struct ProcessOwner: Sendable, Equatable, Hashable {
    public var pid: Int32
    public var name: String
    public var commandLine: String

    public init(pid: Int32, name: String, commandLine: String) {
        self.pid = pid
        self.name = name
        self.commandLine = commandLine
    }
}
