import NetwatchDecode
import NetwatchTimeline

/// Remote: not in a private, loopback, link-local, multicast or other special-purpose range
/// (the timeline's `--filter-local` ranges).
enum RemoteAddress {
    static let local = AddressFilter(hideLocal: true)

    static func isRemote(_ a: IPAddress) -> Bool { !local.hides(a) }

    static func isRemote(_ text: String) -> Bool {
        guard let a = IPAddress(text) else { return false }
        return !local.hides(a)
    }
}
