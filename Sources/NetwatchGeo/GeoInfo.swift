/// What the GeoIP databases say about one address; nil fields are unknown.
public struct GeoInfo: Hashable, Sendable {
    public var country: CountryCode?
    public var asn: UInt32?
    public var organization: String?

    public init(country: CountryCode? = nil, asn: UInt32? = nil, organization: String? = nil) {
        self.country = country
        self.asn = asn
        self.organization = organization
    }

    public var isEmpty: Bool { country == nil && asn == nil && organization == nil }
}
