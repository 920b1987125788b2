import NetwatchPipeline
import NetwatchCapture
import NetwatchDecode
import NetwatchGeo
import NetwatchHost
import NetwatchTimeline
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running timeline on the terminal: the hosts' names and GeoIP answers, and the screen.
/// The dashboard takes the alternate screen and redraws in place (cursor home, each line
/// rewritten and cleared to its end, one write per frame: no flicker); the event log only
/// appends lines.
final class TimelineSession {
    let timeline: Timeline
    let view: TimelineView
    let db: GeoDatabase
    let resolver: ReverseResolver?
    let scroll: Bool
    /// Standard output is a terminal: the dashboard redraws; otherwise it is printed once at the end.
    let terminal: Bool
    let out: OutputBuffer
    var screenOverride: (columns: Int, rows: Int)?
    private var geo: [GeoInfo?] = []
    private var source = ""
    private var takenScreen = false
    private var lastDraw = -1.0
    private var lastSize = (columns: 0, rows: 0)
    private var lastStatus = 0.0
    private var reportedGeoProblem = false

    init(timeline: Timeline, view: TimelineView, db: GeoDatabase, resolver: ReverseResolver?, scroll: Bool, terminal: Bool, out: OutputBuffer) {
        self.timeline = timeline
        self.view = view
        self.db = db
        self.resolver = resolver
        self.scroll = scroll
        self.terminal = terminal
        self.out = out
    }

    /// GeoIP once per host, when it first appears; names are asked for on every draw (the
    /// resolver caches them).
    func annotate(_ i: Int) {
        while geo.count <= i { geo.append(nil) }
        guard view.showCountry || view.showASN else { return }
        let (info, problem) = db.lookup(timeline.hosts[i].address)
        geo[i] = info
        if let problem, !reportedGeoProblem {
            reportedGeoProblem = true
            diagnostics.warning("\(problem.message)")
        }
    }

    /// Rows moved after hosts aged out: their GeoIP moves with them.
    func remap(_ mapping: [Int?]) {
        var moved = [GeoInfo?](repeating: nil, count: timeline.hosts.count)
        for (old, new) in mapping.enumerated() where old < geo.count { if let new { moved[new] = geo[old] } }
        geo = moved
    }

    func labels(_ i: Int) -> TimelineView.Labels {
        var name: String?
        if let resolver, case .name(let n) = resolver.name(for: timeline.hosts[i].address) { name = n }
        return TimelineView.Labels(name: name, geo: i < geo.count ? geo[i] : nil)
    }

    func begin(source: String) throws {
        self.source = source
        if scroll {
            line("netwatch timeline: \(source), events as they happen; status every 10 s; Ctrl+C to stop")
            out.flush()
        } else if terminal && screenOverride == nil {
            out.string("\u{1B}[?1049h\u{1B}[?25l")
            takenScreen = true
            out.flush()
        }
    }

    private func line(_ s: String) {
        out.string(s)
        out.byte(0x0A)
    }

    func screenSize() -> (columns: Int, rows: Int) {
        if let o = screenOverride { return o }
        var ws = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0 { return (Int(ws.ws_col), Int(ws.ws_row)) }
        return (120, 40)
    }

    /// One frame (dashboard) or the new events (log), at most ten times a second.
    func draw(now: Double) {
        if scroll {
            drainEvents()
            if now - lastStatus >= 10 {
                if lastStatus > 0 { line(view.statusLine(timeline, time: now)) }
                lastStatus = now
            }
            out.flush()
            return
        }
        guard takenScreen || screenOverride != nil else { return }
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let size = screenSize()
        lastSize = size
        let lines = view.frame(timeline, source: source, columns: size.columns, rows: size.rows, labels: labels)
        out.string("\u{1B}[H")
        for (n, l) in lines.enumerated() {
            out.string(l)
            out.string(n == lines.count - 1 ? "\u{1B}[K" : "\u{1B}[K\r\n")
        }
        out.string("\u{1B}[J")
        out.flush()
    }

    /// A resize redraws at once rather than at the next time unit.
    func redrawIfResized(now: Double) {
        guard takenScreen else { return }
        let size = screenSize()
        if size != lastSize {
            lastDraw = -1
            draw(now: now)
        }
    }

    func drainEvents() {
        guard scroll else { return }
        for e in timeline.takeEvents() {
            line(view.event(e, timeline.hostIndex(e.address).map(labels) ?? TimelineView.Labels()))
        }
        out.flush()
    }

    /// Gives the screen back and leaves the last dashboard (every row) in the scrollback.
    func end() {
        if scroll {
            drainEvents()
            line(view.statusLine(timeline, time: timeline.now))
            out.flush()
            return
        }
        if takenScreen {
            out.string("\u{1B}[?25h\u{1B}[?1049l")
            takenScreen = false
        }
        let columns = terminal ? screenSize().columns : nil
        for l in view.frame(timeline, source: source, columns: columns, rows: nil, labels: labels) { line(l) }
        out.flush()
    }
}
