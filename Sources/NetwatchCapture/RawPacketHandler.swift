/// What a savefile reader's generic loop calls: `handle` once per packet (false stops the
/// run) and `tick` now and then. A reader specialised for a concrete handler has the handler's
/// per-packet work compiled into its loop: no closure context, no call per packet.
public protocol RawPacketHandler {
    func handle(_ raw: RawPacket) -> Bool
    func tick()
}
