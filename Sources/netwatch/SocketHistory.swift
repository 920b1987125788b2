import NetwatchDetect
import NetwatchEvents
import NetwatchHistory
import NetwatchView

/// A socket-table watch recorded with --history (`sockets --watch`, the socket-table
/// `timeline`): a run of its own, and each scan's opened and closed connections and alerts.
final class SocketHistory {
    let writer: any EventSink
    private var run: RunInfo

    init(_ writer: any EventSink, command: String) {
        self.writer = writer
        run = RunInfo(started: WallTime.now(), command: command, interfaces: nil, file: nil, filter: nil,
                      host: HistoryOptions.hostName(), version: Netwatch.configuration.version)
        writer.receive(.runStarted(run))
    }

    func record(_ report: SocketWatch.Report, time: Double) {
        for s in report.opened { writer.receive(.socketOpened(s, time: time)) }
        for s in report.closed { writer.receive(.socketClosed(s, time: time)) }
        for alert in report.alerts { writer.receive(.alert(alert)) }
        run.alerts &+= UInt64(report.alerts.count)
    }

    /// Closes the run: everything recorded is written before this returns.
    func finish() {
        run.ended = WallTime.now()
        writer.receive(.runEnded(run))
    }
}
