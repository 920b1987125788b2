import NetwatchDecode

extension FlowTable {
    /// Accounts a tunnelled packet to its tunnels' own flows (the outer packets: the VXLAN
    /// UDP flow, the GRE flow), outermost first, each decoded again as far as its tunnel into
    /// `scratch`. Returns the id of the innermost tunnel's flow, the inner flow's parent;
    /// `opened` hears each new tunnel flow's index, `ended` each flow evicted to make room.
    /// Per tunnelled packet only: the untunnelled road never comes here.
    @inline(never)
    public func updateTunnels(_ bytes: PacketBytes, linkType: LinkType, wireLength: Int, tunnels: Int, decoder: PacketDecoder, time: Int64,
                              scratch: inout DecodedPacket, opened: (Int32) -> Void = { _ in }, ended: (Flow, FlowEnd) -> Void) -> UInt64 {
        var parent: UInt64 = 0
        for level in 0..<tunnels {
            decoder.decode(bytes, linkType: linkType, wireLength: wireLength, outerLevel: level, into: &scratch)
            guard let probe = probe(&scratch) else { continue }
            let update = update(probe, &scratch, time: time, wireLength: wireLength)
            if let reason = update.endedReason { ended(lastEvicted, reason) }
            if update.isNew {
                setTunnel(update.index, parent: parent, scratch.encapsulation)
                flows[Int(update.index)].isTunnel = true
                opened(update.index)
            }
            parent = flows[Int(update.index)].id
        }
        return parent
    }

    /// Names the tunnel a new flow travels in.
    public func setTunnel(_ index: Int32, parent: UInt64, _ encapsulation: Encapsulation) {
        flows[Int(index)].tunnelParent = parent
        flows[Int(index)].encapsulationRaw = encapsulation.innermost?.kind.rawValue ?? 0
    }

}
