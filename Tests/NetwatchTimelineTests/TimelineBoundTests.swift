import NetwatchDecode
@testable import NetwatchTimeline
import XCTest

/// The timeline runs for days in bounded memory and keeps showing newcomers (issue 24, item 16).
final class TimelineBoundTests: XCTestCase {
    func address(_ n: Int) -> IPAddress { IPAddress(ipv4: 0x0B00_0000 | UInt32(n)) }  // 11.x.x.x

    /// A simulated week of packet time at 1 s per column: a host connected all week, a host
    /// that talks every 10 s, and 100 new hosts an hour, each for a minute (16,800 in all,
    /// against a table of 1,000).
    func testAWeekOfPacketTime() {
        let week = 7 * 24 * 3600
        let t0 = 1_700_000_000.0
        let timeline = Timeline(interval: 1, start: t0, maxHosts: 1000)
        let steady = IPAddress("10.9.9.9")!, chatty = IPAddress("10.8.8.8")!
        timeline.opened(steady, port: 443, state: "ESTABLISHED", halfOpen: false, time: t0)
        var newcomer = 0
        var lastHourNewcomers: [IPAddress] = []
        for minute in 0..<(week / 60) {
            let base = t0 + Double(minute * 60)
            for tick in stride(from: 0, to: 60, by: 10) {
                timeline.opened(chatty, port: 53, state: "UDP", halfOpen: false, lasting: false, time: base + Double(tick))
            }
            // 100 an hour: newcomers at minutes 0..<50 of each hour, two each.
            if minute % 60 < 50 {
                for _ in 0..<2 {
                    let a = address(newcomer)
                    newcomer += 1
                    timeline.opened(a, port: 80, state: "ESTABLISHED", halfOpen: false, time: base + 1)
                    timeline.closed(a, port: 80, wasHalfOpen: false, time: base + 30)
                    if minute >= week / 60 - 60 { lastHourNewcomers.append(a) }
                }
            }
            timeline.advance(to: base + 59)
        }
        XCTAssertEqual(newcomer, 16_800)
        XCTAssertLessThanOrEqual(timeline.hosts.count, 1000)
        XCTAssertGreaterThan(timeline.agedOut, 15_000)
        // The hosts of the last hour appear although 16,800 came before them.
        for a in lastHourNewcomers { XCTAssertNotNil(timeline.hostIndex(a), "\(a) of the last hour has a row") }
        // The host connected all week: one run of marks, every unit counted, active now.
        let s = timeline.hosts[timeline.hostIndex(steady)!]
        XCTAssertEqual(s.markedSlots, week, "every unit of the week is marked")
        XCTAssertEqual(s.mark(at: timeline.currentSlot), .active)
        XCTAssertLessThan(s.markBytes, 1024)
        // The chatty host: its runs are capped, its recent columns intact.
        let c = timeline.hosts[timeline.hostIndex(chatty)!]
        XCTAssertLessThanOrEqual(c.runs.count, TimelineHost.maxRuns + TimelineHost.maxRuns / 8)
        XCTAssertGreaterThan(c.forgottenBefore, c.firstSlot)
        XCTAssertEqual(c.mark(at: timeline.currentSlot - 9), .new)
        XCTAssertEqual(c.mark(at: timeline.currentSlot - 8), .idle)
        // All marks of all rows: bounded, whatever the run's length.
        let bytes = timeline.hosts.reduce(0) { $0 + $1.markBytes }
        XCTAssertLessThan(bytes, 2_000_000, "marks take \(bytes) bytes")
    }

    /// Run-length marks read back as they were set, in any order of units.
    func testRunsReadBackAsSet() {
        var h = TimelineHost(address: address(1), time: 0, slot: 10)
        var expected: [Int: TimelineMark] = [:]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let slot = 10 + Int.random(in: 0..<400, using: &generator)
            let m = [TimelineMark.active, .listening, .closed, .new].randomElement(using: &generator)!
            h.set(m, at: slot)
            if m.rawValue > (expected[slot]?.rawValue ?? 0) { expected[slot] = m }
        }
        for slot in 0..<420 { XCTAssertEqual(h.mark(at: slot), expected[slot] ?? .idle, "slot \(slot)") }
        XCTAssertEqual(h.markedSlots, expected.count)
        XCTAssertEqual(h.marked(in: 0..<420), expected.count)
        XCTAssertEqual(h.marked(in: 100..<200), expected.keys.filter { (100..<200).contains($0) }.count)
    }
}
