import NetwatchDecode
import NetwatchStats
import XCTest

/// The bounded counter against a plain model of its rule: per bucket of eight slots, a key
/// counted adds to its slot; a new key takes the first empty slot; in a full bucket it lowers
/// the smallest weight (the first of equal ones) by its own, and takes that slot with what is
/// left when it outweighs it. The counter remembers which slot is smallest rather than
/// comparing eight weights for each key it turns away, and counts the key last counted again
/// straight into its slot (`addRepeated`); the model always compares and searches.
final class BoundedCounterTests: XCTestCase {
    struct Slot {
        var key: IPAddress
        var weight: UInt64
        var packets: UInt64
        var bytes: UInt64
    }

    func testRememberedSmallestSlotFollowsTheRule() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<4 {
            // 64 keys tracked: 16 buckets, so a few thousand keys overflow every one.
            let counter = BoundedCounter<IPAddress>(capacity: 64)
            var buckets: [Int: [Slot]] = [:]
            var overflowed: UInt64 = 0
            let heavy = (0..<40).map { IPAddress(ipv4: 0x0A01_0000 | UInt32($0)) }
            let light = (0..<400).map { IPAddress(ipv4: 0x0A02_0000 | UInt32($0)) }
            // Keys counted lately: one comes back after a few others, when the slot it was
            // counted in may have gone to another key.
            var recent = [IPAddress](repeating: IPAddress(ipv4: 1), count: 4)
            for _ in 0..<30_000 {
                // Heavy keys come back often, light ones now and then (so the smallest slot's
                // own key returns to it), with a flow's packets at once; one-off keys (a
                // flood's spoofed sources) come once.
                let key: IPAddress
                switch UInt8.random(in: 0..<6, using: &rng) {
                case 0: key = heavy.randomElement(using: &rng)!
                case 3, 4: key = recent.randomElement(using: &rng)!
                case 1: key = light.randomElement(using: &rng)!
                default: key = IPAddress(ipv4: UInt32.random(in: 0..<UInt32.max, using: &rng))
                }
                let packets = UInt64.random(in: 1...(round == 0 ? 1 : 6), using: &rng)
                let bytes = packets * 60
                recent[Int.random(in: 0..<recent.count, using: &rng)] = key
                let location = counter.locate(key)
                if !counter.addRepeated(key, packets: packets, bytes: bytes) {
                    counter.add(key, at: location, packets: packets, bytes: bytes)
                }
                let bucket = counter.bucket(of: location)
                var slots = buckets[bucket, default: []]
                if let i = slots.firstIndex(where: { $0.key == key }) {
                    slots[i].weight = min(slots[i].weight + packets, UInt64(UInt32.max))
                    slots[i].packets += packets
                    slots[i].bytes += bytes
                } else if slots.count < 8 {
                    slots.append(Slot(key: key, weight: packets, packets: packets, bytes: bytes))
                } else {
                    overflowed += 1
                    let least = slots.map(\.weight).min()!
                    let i = slots.firstIndex { $0.weight == least }!
                    if least < packets {
                        slots[i] = Slot(key: key, weight: packets - least, packets: packets, bytes: bytes)
                    } else {
                        slots[i].weight -= packets
                    }
                }
                buckets[bucket] = slots
            }
            let expected = buckets.values.flatMap { $0 }.map { "\($0.key) \($0.packets) \($0.bytes)" }.sorted()
            let counted = counter.entries.map { "\($0.key) \($0.packets) \($0.bytes)" }.sorted()
            XCTAssertTrue(counted == expected, "round \(round): \(Set(counted).symmetricDifference(expected).count) entries differ from the model")
            XCTAssertEqual(counter.overflowed, overflowed, "round \(round)")
            XCTAssertGreaterThan(overflowed, 10_000, "buckets were full")
        }
    }
}
