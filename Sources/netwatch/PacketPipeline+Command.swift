import ArgumentParser
import NetwatchCapture
import NetwatchPipeline

extension PacketPipeline {
    /// Builds a pipeline with `make` and runs it to the end: the one exit path of every
    /// packet-reading command. Capture errors become one sentence and exit status 1 (2 for a
    /// bad filter); a damaged file, after every packet before the damage, exits 1.
    static func runCommand(keepsRunning: Bool = false, _ make: () throws -> PacketPipeline) throws {
        StopSignal.install()
        do {
            let pipeline = try make()
            let end = try pipeline.run()
            // A replay in `monitor` goes on serving: it says STOPPING itself.
            if !keepsRunning || StopSignal.requested { ServiceSetup.notifier?.stopping() }
            pipeline.finish(end: end)
            if case .corrupt = end { throw ExitCode(1) }
        } catch let error as CaptureError {
            diagnostics.error("\(error.message)")
            throw ExitCode(error.code == .badFilter ? 2 : 1)
        }
    }
}
