import NetwatchEvents
import NetwatchGeo

extension GeoDatabase {
    /// Each end's country and autonomous system, as the history's writers keep them.
    public func annotate(_ r: inout FlowRecord) {
        let a = lookup(r.originatorAddress).info, b = lookup(r.responderAddress).info
        r.originatorCountry = a.country?.description
        r.responderCountry = b.country?.description
        r.originatorASN = a.asn
        r.responderASN = b.asn
    }
}
